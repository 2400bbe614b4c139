using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// A gas meter rupture through the real path (mosquitto_pub as the meter, gateway, Kafka 0.9, processor): the
/// rupture alert reaches the feed and the valve-close command reaches <c>sensing.commands</c>, keyed by the meter.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CommandPathTests
{
    private const string Password = "m3ter";
    private const string Meter = "gm-rupture";
    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartCity() => _city.StartAsync(
    [
        new DeviceInfo(Meter, DeviceKind.GasMeter, "d07", 900, DeviceRegistryFile.HashSecret(Password)) { Parameters = DeviceParameters.Parse("qmax=6") },
    ]);

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    public async Task MosquittoPub_FlowNearQmaxForFiveMinutes_RuptureAlertAndValveCloseCommandInKafka()
    {
        // Two readings 300 s apart in event time (the rupture duration), both within the clock-skew limit of now.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = now - 290_000;
        var second = now + 10_000;
        Assert.That(await Publish(1, first, 5.8), Is.Zero, "mosquitto_pub should get its PUBACK");
        Assert.That(await Publish(2, second, 5.9), Is.Zero, "mosquitto_pub should get its PUBACK");

        var command = ReadCommand(TimeSpan.FromSeconds(60));
        Assert.That(command, Is.Not.Null, "a valve-close command should be on sensing.commands");
        Assert.That(command!.Value.Key, Is.EqualTo(Meter));
        Assert.That(command.Value.Command.Command, Is.EqualTo(DeviceCommandNames.ValveClose));
        Assert.That(command.Value.Command.IssuedAtMs, Is.EqualTo(second));

        var alerts = await _http.GetFromJsonAsync($"{_city.FeedUrl}/api/alerts?state=active", AlertJsonContext.Default.AlertEventArray) ?? [];
        var rupture = alerts.SingleOrDefault(a => a.Source == Meter && a.Condition == "gas.meter-rupture");
        Assert.That(rupture, Is.Not.Null, "the feed should list the rupture");
        Assert.That(rupture!.Severity, Is.EqualTo(AlertSeverity.Critical));
        Assert.That(command.Value.Command.AlertId, Is.EqualTo(rupture.Id));
        Assert.That(_city.Processor!.Counters.Commands, Is.EqualTo(1));
    }

    private Task<int> Publish(int seq, long ts, double flow) =>
        MosquittoPub.PublishAsync(_city.GatewayEndPoint, Meter, Password, $"sensing/{Meter}/up",
            $"{{\"seq\":{seq},\"ts\":{ts},\"flow\":{flow.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"valve\":1}}");

    private (string Key, DeviceCommand Command)? ReadCommand(TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(_city.KafkaOptions, "it-commands-" + Guid.NewGuid().ToString("N"), "it-commands");
        consumer.Subscribe(_city.KafkaOptions.Topics.Commands);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                var command = JsonSerializer.Deserialize(record.Value, DeviceCommandJsonContext.Default.DeviceCommand)!;
                return (System.Text.Encoding.UTF8.GetString(record.Key), command);
            }
        }

        return null;
    }
}
