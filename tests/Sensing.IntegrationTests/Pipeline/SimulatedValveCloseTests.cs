using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Kafka;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Publishing;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// A simulated gas meter with a persistent session ruptures; through the real path (simulator over MQTT, gateway,
/// Kafka 0.9, processor) the rupture alert's valve-close command comes back down to the meter, which closes its valve:
/// its later readings in <c>sensing.telemetry</c> say valve closed and flow 0, and the rupture alert clears.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SimulatedValveCloseTests
{
    // 12x: the rupture's 5 minutes of event time (the detector's default duration) pass in 25 s.
    private const double Speed = 12;
    private static readonly TimeSpan RunLength = TimeSpan.FromMinutes(11);

    private readonly PipelineFixture _pipeline = new();
    private CityDevice _meter = null!;
    private PublishCounters _counters = null!;
    private long _ruptureStartMs;

    [OneTimeSetUp]
    public async Task RunRuptureThroughPipeline()
    {
        var options = CityOptions.Default with
        {
            Devices = 8,
            Districts = 1,
            ReportSecondsOverride = 30,
            Mix = new KindMix(new Dictionary<DeviceKind, double> { [DeviceKind.GasMeter] = 5, [DeviceKind.WaterPressure] = 2, [DeviceKind.WaterFlow] = 1 }),
            PersistentKinds = new HashSet<DeviceKind> { DeviceKind.GasMeter, DeviceKind.WaterPressure, DeviceKind.WaterFlow },
        };
        var city = CityModel.Create(options);
        await _pipeline.StartAsync(city.Devices.Select(d => d.Info));

        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 2_000;
        _meter = city.OfKind(DeviceKind.GasMeter).First();
        _ruptureStartMs = start + 60_000;
        city.Add(Incident.OnDevice(IncidentKind.MeterRupture, _meter.Info.Id, _meter.Index, _meter.District, _ruptureStartMs, start + (long)RunLength.TotalMilliseconds));

        var publisher = new CityPublisher(city, new PublishOptions { Broker = _pipeline.GatewayEndPoint, StartMs = start, Duration = RunLength, Speed = Speed });
        await publisher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        _counters = publisher.Counters;
        await TestContext.Progress.WriteLineAsync($"published {_counters.Sent} readings in {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - start} ms, {_counters.Commands} command(s) acted on");

        var clock = Stopwatch.StartNew();
        while (_pipeline.Processor!.Counters.Consumed < _pipeline.GatewayCounters.PersistedInKafka && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
        }
    }

    [OneTimeTearDown]
    public async Task Stop() => await _pipeline.DisposeAsync();

    [Test]
    public void Rupture_ValveCloseCommand_MeterReportsValveClosedAndZeroFlow()
    {
        Assert.That(_counters.Errors, Is.Zero);
        Assert.That(_meter.ValveByCommand, Is.True, "the meter subscribed to its command topic");

        var command = ReadRecords(_pipeline.KafkaOptions.Topics.Commands)
            .Select(r => JsonSerializer.Deserialize(r.Value, DeviceCommandJsonContext.Default.DeviceCommand)!)
            .SingleOrDefault(c => c.Device == _meter.Info.Id);
        Assert.That(command, Is.Not.Null, "the processor should command the ruptured meter's valve closed");
        Assert.That(command!.Command, Is.EqualTo(DeviceCommandNames.ValveClose));
        Assert.That(_counters.Commands, Is.EqualTo(1), "the meter acted on one command");
        Assert.That(_counters.IgnoredCommands, Is.Zero);

        // The meter's readings as the gateway put them into Kafka, in its sequence order.
        var readings = ReadRecords(_pipeline.KafkaOptions.Topics.Telemetry)
            .Select(r => Reading.From(r.Value))
            .Where(r => r is { } x && x.Device == _meter.Info.Id && x.Sequence > 0)
            .Select(r => r!.Value)
            .OrderBy(r => r.Sequence)
            .ToList();
        var rupture = readings.Where(r => r.Flow >= 0.9 * 6 && r.Valve == 1).ToList();
        var closed = readings.SkipWhile(r => r.Valve != 0).ToList();
        Assert.That(rupture, Is.Not.Empty, "rupture readings (flow at 95 % of Qmax, valve open) come first");
        Assert.That(closed, Has.Count.GreaterThanOrEqualTo(3), "readings after the valve closed");
        Assert.That(closed.Select(r => (r.Valve, r.Flow)), Is.All.EqualTo((0.0, 0.0)), "once closed, the valve stays closed and nothing flows");
        Assert.That(closed[0].EventTimeMs, Is.GreaterThanOrEqualTo(command.IssuedAtMs), "the valve closes after the command");
        Assert.That(closed[0].EventTimeMs, Is.LessThan(command.IssuedAtMs + 120_000), "within the valve response time");
        Assert.That(_meter.ValveClosedAtMs, Is.GreaterThanOrEqualTo(command.IssuedAtMs));
    }

    [Test]
    public void Rupture_ValveClosed_RuptureAlertRaisedThenCleared()
    {
        var events = ReadRecords(_pipeline.KafkaOptions.Topics.Alerts)
            .Select(r => JsonSerializer.Deserialize(r.Value, AlertJsonContext.Default.AlertEvent)!)
            .Where(e => e.Source == _meter.Info.Id)
            .ToList();
        var rupture = events.Where(e => e.Condition == AlertCondition.MeterRupture.Name()).ToList();
        Assert.That(rupture.Select(e => e.Type), Does.Contain(AlertEventType.Raised).And.Contain(AlertEventType.Cleared));
        Assert.That(rupture.Select(e => e.Id).Distinct().Count(), Is.EqualTo(1), "one rupture alert");
        var raised = rupture.First(e => e.Type == AlertEventType.Raised);
        var cleared = rupture.Last(e => e.Type == AlertEventType.Cleared);
        Assert.That(raised.RaisedAtMs, Is.GreaterThanOrEqualTo(_ruptureStartMs + 300_000), "after five minutes of rupture flow");
        Assert.That(cleared.ClearedAtMs ?? cleared.EventTimeMs, Is.GreaterThan(raised.RaisedAtMs));
        Assert.That(events.Where(e => e.Condition == AlertCondition.MeterValveFault.Name()), Is.Empty, "the valve answered the command in time");
    }

    private List<ConsumedRecord> ReadRecords(string topic)
    {
        using var consumer = new RecordConsumer(_pipeline.KafkaOptions, "it-valve-" + Guid.NewGuid().ToString("N"), "it-valve");
        consumer.Subscribe(topic);
        var records = new List<ConsumedRecord>();
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                records.Add(record);
                idle.Restart();
            }
        }

        return records;
    }

    private readonly record struct Reading(string Device, ulong Sequence, long EventTimeMs, double Flow, double Valve)
    {
        public static Reading? From(byte[] value)
        {
            if (!TelemetryFrame.TryDecode(value, out var frame, out _) || frame.IsConnectionEvent)
            {
                return null;
            }

            return new Reading(Encoding.UTF8.GetString(frame.DeviceId), frame.Sequence, frame.EventTimeMs,
                frame.TryGet(Metric.GasFlow, out var flow) ? flow : double.NaN, frame.TryGet(Metric.ValveOpen, out var valve) ? valve : double.NaN);
        }
    }
}
