using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Rules;

namespace Sensing.IntegrationTests.Feed;

/// <summary>
/// Response texts in the feed API on a real Kafka: the built-in text for a feed without a rules file, and a rules
/// file's city and district texts for a second feed reading the same topic with <see cref="FeedOptions.Rules"/>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FeedResponseTests
{
    [Test]
    public async Task Detail_NoRulesFile_BuiltInTextFilledFromTheAlert()
    {
        var alert = await FeedCity.RaiseAsync("md-response-default", AlertSeverity.Critical, "d11");

        var detail = await FeedCity.DetailAsync(alert.Id);

        Assert.That(detail.Alert.Response, Does.StartWith("Methane at md-response-default (d11) at the second alarm level: 30 %LEL"));
        Assert.That(detail.Alert.Response, Does.Contain("Evacuate the building").And.Not.Contain("{"));
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        var listed = await http.GetFromJsonAsync<AlertSummary[]>("/api/alerts?district=d11&response=true", FeedCity.Json);
        Assert.That(listed!.Single(a => a.Id == alert.Id).Response, Is.EqualTo(detail.Alert.Response), "list items carry it when asked");
        var plain = await http.GetFromJsonAsync<AlertSummary[]>("/api/alerts?district=d11", FeedCity.Json);
        Assert.That(plain!.Single(a => a.Id == alert.Id).Response, Is.Null, "a page of alerts leaves the texts out by default");
    }

    [Test]
    public async Task Detail_RulesFile_CityAndDistrictTextsAndTheValveCommand()
    {
        var district = "d-resp-" + Guid.NewGuid().ToString("N")[..6];
        var rules = RulesFile.Parse($$"""
            responses:
              gas.methane-high.critical: "City plan: evacuate around {source} and call the gas crew."
            districts:
              {{district}}:
                responses:
                  gas.methane-high.critical: "Tunnel plan: close gates T1 and T2 at {district}, start the fans."
                gasMeter:
                  closeValveOnRupture: false
            """, "responses.yaml");
        var city = FeedCity.City;
        await using var feed = FeedHost.Build(
            new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = city.FeedKeys.Ring, StoreUrl = city.Store.BaseUrl, Rules = rules },
            city.KafkaOptions, l => l.SetMinimumLevel(LogLevel.Warning));
        await feed.StartAsync();
        try
        {
            var url = FeedHost.BoundUrl(feed);
            var inCity = await FeedCity.RaiseAsync("md-response-city", AlertSeverity.Critical, "d12");
            var inTunnel = await FeedCity.RaiseAsync("md-response-tunnel", AlertSeverity.Critical, district);
            var level1 = await FeedCity.RaiseAsync("md-response-level1", AlertSeverity.High, district);
            var rupture = Rupture("gm-response-1", "d12");
            var ruptureNoValve = Rupture("gm-response-2", district);
            await FeedCity.PublishAsync(rupture);
            await FeedCity.PublishAsync(ruptureNoValve);

            Assert.That((await DetailAsync(url, inCity.Id)).Response, Is.EqualTo("City plan: evacuate around md-response-city and call the gas crew."));
            Assert.That((await DetailAsync(url, inTunnel.Id)).Response, Is.EqualTo($"Tunnel plan: close gates T1 and T2 at {district}, start the fans."));
            Assert.That((await DetailAsync(url, level1.Id)).Response, Does.StartWith("Methane at md-response-level1"), "a key the file leaves out keeps its built-in text");

            // 2026-12-05T00:00:00Z is 08:00 in the default zone, Asia/Shanghai.
            Assert.That((await DetailAsync(url, rupture.Id)).Response, Does.Contain("The valve-close command was sent at 2026-12-05 08:00:00 UTC+08:00"));
            Assert.That((await DetailAsync(url, ruptureNoValve.Id)).Response, Does.Contain("No valve-close command was sent"));
            Assert.That((await FeedCity.DetailAsync(inTunnel.Id)).Alert.Response, Does.StartWith("Methane at md-response-tunnel"), "the feed without the file keeps the built-in text");
        }
        finally
        {
            await feed.StopAsync();
        }
    }

    [Test]
    public async Task Detail_RulesFileChangedWhileRunning_NewTextFromTheNextRequest()
    {
        var folder = Directory.CreateTempSubdirectory("sensing-responses-");
        try
        {
            var path = Path.Combine(folder.FullName, "rules.yaml");
            await File.WriteAllTextAsync(path, "responses:\n  gas.methane-high: \"First plan for {source}.\"\n");
            var city = FeedCity.City;
            using var warnings = new WarningLines();
            await using var feed = FeedHost.Build(
                new FeedOptions
                {
                    Url = "http://127.0.0.1:0", ApiKeys = city.FeedKeys.Ring, StoreUrl = city.Store.BaseUrl,
                    Rules = RulesFile.Load(path), RulesPollInterval = TimeSpan.FromMilliseconds(100),
                },
                city.KafkaOptions, l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(warnings));
            await feed.StartAsync();
            try
            {
                var url = FeedHost.BoundUrl(feed);
                var alert = await FeedCity.RaiseAsync("md-response-reload", AlertSeverity.High, "d14");
                Assert.That((await DetailAsync(url, alert.Id)).Response, Is.EqualTo("First plan for md-response-reload."));

                // A file that does not check keeps the texts in force; the next good one replaces them.
                await File.WriteAllTextAsync(path, "responses:\n  gas.methane-high: \"Plan {nobody}.\"\n");
                await Eventually.HoldsAsync(() => warnings.Lines.Any(l => l.Contains("not used, the texts in force stay", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(60), "the feed refuses the file that does not check");
                Assert.That((await DetailAsync(url, alert.Id)).Response, Is.EqualTo("First plan for md-response-reload."));
                await File.WriteAllTextAsync(path, "responses:\n  gas.methane-high: \"Second plan for {source}.\"\n");
                var changed = await FeedCity.PollAsync(
                    async () => (await DetailAsync(url, alert.Id)).Response is "Second plan for md-response-reload." ? "changed" : null, TimeSpan.FromSeconds(20));
                Assert.That(changed, Is.Not.Null, "the feed shows the changed text");
            }
            finally
            {
                await feed.StopAsync();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Detail_SmokeAlarm_NamesTheBuildingFromTheRegistry()
    {
        const string adminKey = "admin-key-for-the-response-test", viewerKey = "viewer-key-for-the-response-test";
        var ring = ApiKeyRing.From([new ApiKeyEntry("registry-admin", FeedRole.Admin, ApiKeyRing.Hash(adminKey)),
            new ApiKeyEntry("wall", FeedRole.Viewer, ApiKeyRing.Hash(viewerKey))]);
        var city = FeedCity.City;
        await using var feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = ring, StoreUrl = city.Store.BaseUrl },
            city.KafkaOptions, l => l.SetMinimumLevel(LogLevel.Warning));
        await feed.StartAsync();
        try
        {
            var url = FeedHost.BoundUrl(feed);
            using var admin = FeedCity.Client(adminKey, url);
            var added = await FeedCity.PollAsync(async () =>
            {
                using var body = new StringContent("{\"kind\":\"smoke-alarm\",\"district\":\"d15\",\"report_s\":3600,\"params\":\"building=Harbour Tower 3\",\"password\":\"smoke-alarm-secret\"}",
                    System.Text.Encoding.UTF8, "application/json");
                using var response = await admin.PutAsync("/api/devices/sa-response-1", body);
                return response.StatusCode == HttpStatusCode.ServiceUnavailable ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }, TimeSpan.FromSeconds(60));
            Assert.That(added, Does.StartWith("200"), "the feed's registry takes the smoke alarm");
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var alarm = new AlertEvent
            {
                Id = AlertId.Create("sa-response-1", AlertCondition.SmokeAlarm, now),
                Type = AlertEventType.Raised,
                Source = "sa-response-1",
                Condition = AlertCondition.SmokeAlarm.Name(),
                Severity = AlertSeverity.Critical,
                District = "d15",
                DeviceKind = DeviceKind.SmokeAlarm.Name(),
                RaisedAtMs = now,
                EventTimeMs = now,
                Value = 1,
                PeakValue = 1,
                Count = 1,
                Message = "Smoke alarm sa-response-1: in alarm",
            };
            await FeedCity.PublishAsync(alarm);

            using var viewer = FeedCity.Client(viewerKey, url);
            var response = await FeedCity.PollAsync(async () =>
                (await viewer.GetAsync($"/api/alerts/{alarm.Id}")) is { IsSuccessStatusCode: true } r
                && (await r.Content.ReadFromJsonAsync<AlertDetail>(FeedCity.Json))!.Alert.Response is { } text && text.Contains("Harbour Tower 3", StringComparison.Ordinal)
                    ? text
                    : null, TimeSpan.FromSeconds(30));
            Assert.That(response, Does.StartWith("FIRE: smoke alarm sa-response-1 in Harbour Tower 3 (d15). Call the fire brigade (119) now"));
        }
        finally
        {
            await feed.StopAsync();
        }
    }

    private static AlertEvent Rupture(string meter, string district)
    {
        var raisedAt = DateTimeOffset.Parse("2026-12-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        return new AlertEvent
        {
            Id = AlertId.Create(meter, AlertCondition.MeterRupture, raisedAt),
            Type = AlertEventType.Raised,
            Source = meter,
            Condition = AlertCondition.MeterRupture.Name(),
            Severity = AlertSeverity.Critical,
            District = district,
            DeviceKind = DeviceKind.GasMeter.Name(),
            RaisedAtMs = raisedAt,
            EventTimeMs = raisedAt,
            Value = 5.8,
            PeakValue = 5.8,
            Count = 3,
            Message = "suspected rupture",
        };
    }

    // The feed reads the topic from the start: poll until it has the alert.
    private static async Task<AlertSummary> DetailAsync(string url, string id)
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey, url);
        var detail = await FeedCity.PollAsync(
            async () => (await http.GetAsync($"/api/alerts/{id}")) is { IsSuccessStatusCode: true } r ? await r.Content.ReadFromJsonAsync<AlertDetail>(FeedCity.Json) : null,
            TimeSpan.FromSeconds(30));
        Assert.That(detail, Is.Not.Null, $"the rules feed has {id}");
        return detail!.Alert;
    }

    /// <summary>The feed's warnings, kept to see it refuse a rules file.</summary>
    private sealed class WarningLines : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
