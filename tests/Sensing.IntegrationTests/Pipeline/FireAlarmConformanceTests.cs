using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// Smoke alarms through the real path: <c>mosquitto_pub</c> as NB-IoT smoke alarms (connect, publish one JSON status,
/// disconnect), the gateway, Kafka 0.9, the processor and the feed. Two alarms of one building are a Critical alert
/// at once; one alarm still on after the verification window (60 s of event time) is a Critical alert; a nuisance
/// alarm cleared within the window is not escalated.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FireAlarmConformanceTests
{
    private const string Password = "sm0ke";

    // Methane detectors without a building, one per test: a pacer's reading moves event time on and its alert, once in
    // the feed, says the processor has handled everything published before it.
    private const string Pacer = "md-pacer";
    private const string ToastPacer = "md-pacer-toast";
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ulong _pacerSequence;

    [OneTimeSetUp]
    public Task StartCity()
    {
        _http.DefaultRequestHeaders.Add("X-Api-Key", _city.FeedKeys.ViewerKey);
        var hash = DeviceRegistryFile.HashSecret(Password);
        DeviceInfo Smoke(string id, string building) =>
            new(id, DeviceKind.SmokeAlarm, "d03", 14_400, hash) { Parameters = DeviceParameters.Parse($"building={building}") };
        return _city.StartAsync(
        [
            Smoke("sa-kitchen", "tower-1"), Smoke("sa-hall", "tower-1"), Smoke("sa-lonely", "tower-2"), Smoke("sa-toast", "tower-3"),
            new DeviceInfo(Pacer, DeviceKind.MethaneDetector, "d03", 3_600, hash),
            new DeviceInfo(ToastPacer, DeviceKind.MethaneDetector, "d03", 3_600, hash),
        ]);
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    public async Task MosquittoPub_SecondSmokeAlarmOfBuilding_CriticalAlertsInFeedAtOnce()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await PublishStatus("sa-kitchen", 1, now - 2_000, alarm: 1), Is.Zero, "mosquitto_pub should get its PUBACK");
        Assert.That(await PublishStatus("sa-hall", 1, now, alarm: 1), Is.Zero);

        var alerts = await WaitForAlerts(a => a.Condition == "fire.smoke-alarm" && a.Source is "sa-kitchen" or "sa-hall", 2);
        Assert.That(alerts.Select(a => a.Source), Is.EquivalentTo(new[] { "sa-kitchen", "sa-hall" }));
        Assert.That(alerts, Has.All.Matches<AlertEvent>(a => a.Severity == AlertSeverity.Critical));
        Assert.That(alerts.Select(a => a.RaisedAtMs), Is.All.EqualTo(now), "raised when the second alarm confirmed the first, not after the window");
        Assert.That(alerts, Has.All.Matches<AlertEvent>(a => a.Message.Contains("confirmed", StringComparison.Ordinal)));
    }

    [Test]
    public async Task MosquittoPub_SmokeAlarmStillOnAfterVerificationWindow_CriticalAlertInFeed()
    {
        // The alarm 90 s ago (event time), then the pacer now: event time passes the 60 s window.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await PublishStatus("sa-lonely", 1, now - 90_000, alarm: 1), Is.Zero);
        Assert.That(await PublishPacer(now), Is.Zero);

        var alert = (await WaitForAlerts(a => a.Condition == "fire.smoke-alarm" && a.Source == "sa-lonely", 1)).Single();
        Assert.That(alert.Severity, Is.EqualTo(AlertSeverity.Critical));
        Assert.That(alert.RaisedAtMs, Is.EqualTo(now - 30_000), "raised when the 60 s verification window ran out");
    }

    [Test]
    public async Task MosquittoPub_NuisanceAlarmClearedWithinVerificationWindow_NotEscalated()
    {
        // Burnt toast: alarm, then clear 40 s later (hushed), both long enough ago that the window is over by the pacer's reading.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(await PublishStatus("sa-toast", 1, now - 180_000, alarm: 1), Is.Zero);
        Assert.That(await PublishStatus("sa-toast", 2, now - 140_000, alarm: 32), Is.Zero);
        Assert.That(await PublishPacer(now, ToastPacer), Is.Zero);

        // The pacer's own alert in the feed means the toast readings (published before it) were processed.
        await WaitForAlerts(a => a.Source == ToastPacer && a.Condition == "gas.methane-high", 1);
        // The pacer's alert is the positive control; the window only lets an escalation raised with it reach the feed.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var all = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=all", AlertJsonContext.Default.AlertEventArray) ?? [];
        Assert.That(all.Where(a => a.Source == "sa-toast").Select(a => a.Condition), Is.Empty, "a nuisance alarm is recorded, not raised");
    }

    private Task<int> PublishStatus(string device, int seq, long ts, int alarm) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, device, Password, $"sensing/{device}/up",
            string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":{ts},\"alarm\":{alarm},\"battery\":3.6}}"));

    // A methane reading above the first alarm level (30 %LEL), so the pacer's alert shows the processor got this far.
    private Task<int> PublishPacer(long ts, string pacer = Pacer) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, pacer, Password, $"sensing/{pacer}/up",
            string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{++_pacerSequence},\"ts\":{ts},\"lel\":30}}"));

    private async Task<AlertEvent[]> WaitForAlerts(Func<AlertEvent, bool> match, int count)
    {
        AlertEvent[] found = [];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var alerts = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=all", AlertJsonContext.Default.AlertEventArray) ?? [];
            found = [.. alerts.Where(match)];
            if (found.Length >= count)
            {
                return found;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"expected {count} matching alert(s) in the feed within 60 s, found {found.Length}");
        return found;
    }
}
