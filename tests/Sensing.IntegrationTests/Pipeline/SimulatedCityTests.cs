using System.Diagnostics;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Kafka;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Truth;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// A small simulated city with every incident kind and trap that fits a 45-second run, published by its devices
/// over real MQTT (JSON and binary payloads, persistent and connect-publish-disconnect sessions, and district
/// concentrators publishing batches for the methane detectors, reservoir and rain gauges) to the gateway, through the
/// real Kafka 0.9 broker and the processor; the alerts on sensing.alerts are scored against the simulator's ground truth.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SimulatedCityTests
{
    // The incident kinds a 45-second run holds (the others need hours or days, clock skew 12 minutes: the city backtest
    // covers them); each must be detected.
    private static readonly TestCaseData[] DetectedKinds =
    [
        new("methane-level1"), new("methane-level2"), new("charger-ground-fault"), new("charger-over-current"),
        new("charger-high-temperature"), new("device-silent"), new("reservoir-flood"), new("heavy-rain"),
    ];

    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(45);

    private readonly PipelineFixture _pipeline = new();
    private IReadOnlyList<TruthEntry> _truth = [];
    private DetectionScore? _score;
    private PublishCounters? _counters;
    private HashSet<string> _behindConcentrators = [];
    private int _concentrators;

    [OneTimeSetUp]
    public async Task RunCityThroughPipeline()
    {
        // A mix with room for every kind's incidents: reservoirs and rain gauges are too rare in the city's default mix.
        var options = CityOptions.Default with
        {
            Devices = 80,
            Districts = 4,
            ReportSecondsOverride = 2,
            Mix = new KindMix(new Dictionary<DeviceKind, double>
            {
                [DeviceKind.GasMeter] = 30, [DeviceKind.MethaneDetector] = 12, [DeviceKind.EvCharger] = 12, [DeviceKind.WaterPressure] = 12,
                [DeviceKind.WaterFlow] = 6, [DeviceKind.ReservoirLevel] = 4, [DeviceKind.RainGauge] = 4,
            }),
            // The third connection mode: every district's concentrator carries the kinds whose incidents fit the run
            // (gas meters stay connect-publish-disconnect, chargers and water sensors persistent).
            ConcentratorKinds = new HashSet<DeviceKind> { DeviceKind.MethaneDetector, DeviceKind.ReservoirLevel, DeviceKind.RainGauge },
            ConcentratorDistrictShare = 1,
        };

        // The registry does not depend on when incidents happen: a first city gives it to the pipeline, and the same
        // city built again places its incidents once the pipeline is up, so event time is the wall clock.
        var provisional = CityModel.Create(options);
        IncidentPlan.Apply(provisional, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), RunLength);
        await _pipeline.StartAsync(provisional.RegistryEntries);

        var city = CityModel.Create(options);
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_000;
        IncidentPlan.Apply(city, start, RunLength);
        Assert.That(city.Devices.Select(RegistryLine), Is.EqualTo(provisional.Devices.Select(RegistryLine)));
        _truth = [.. city.Incidents.Select(i => i.Truth)];
        _behindConcentrators = [.. city.Devices.Where(d => d.Concentrator >= 0).Select(d => d.Info.Id)];
        _concentrators = city.Concentrators.Count;

        var publisher = new CityPublisher(city, new PublishOptions { Broker = _pipeline.GatewayEndPoint, StartMs = start, Duration = RunLength });
        await publisher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));
        _counters = publisher.Counters;

        var clock = Stopwatch.StartNew();
        while (_pipeline.Processor!.Counters.Consumed < _pipeline.GatewayCounters.PersistedInKafka && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
        }

        _score = DetectionScore.Compute(_truth, ReadAlerts(TimeSpan.FromSeconds(10)));
        foreach (var line in _score.Report())
        {
            await TestContext.Progress.WriteLineAsync(line);
        }
    }

    [OneTimeTearDown]
    public async Task Stop() => await _pipeline.DisposeAsync();

    [Test]
    public void Publish_EveryReading_AcknowledgedAndInKafka()
    {
        Assert.That(_counters!.Sent, Is.GreaterThan(1_000));
        Assert.That(_counters.Errors, Is.Zero);
        Assert.That(_counters.Acked, Is.EqualTo(_counters.Sent));
        // Besides the readings, Kafka holds the gateway's offline records (fired wills) and the online records of those
        // devices' returns; a device that connects, publishes and disconnects adds none, nor does a concentrator.
        Assert.That(_pipeline.GatewayCounters.ConnectionEvents, Is.LessThan(_pipeline.GatewayCounters.ConnectionsTotal - _concentrators));
        Assert.That(_pipeline.GatewayCounters.PersistedInKafka - _pipeline.GatewayCounters.ConnectionEvents, Is.EqualTo(_counters.Sent));
        Assert.That(_pipeline.GatewayCounters.DeadLetters, Is.Zero, "JSON and binary readings both decode");
    }

    [Test]
    public void Truth_ShortRun_HoldsTheKindsThatFit() =>
        Assert.That(_truth.Where(t => !t.IsTrap).Select(t => t.Kind), Is.EquivalentTo(DetectedKinds.Select(c => (string)c.Arguments[0]!)));

    [TestCaseSource(nameof(DetectedKinds))]
    public void Pipeline_IncidentWithDetector_DetectedInsideItsWindow(string kind)
    {
        var outcome = _score!.Outcomes.Single(o => o.Entry.Kind == kind);
        Assert.That(outcome.Detection, Is.Not.Null, $"{kind} on {outcome.Entry.Source} should raise {outcome.Entry.ExpectedCondition}");
    }

    [Test]
    public void Pipeline_IncidentsOnDevicesBehindConcentrators_Detected()
    {
        var behind = _score!.Outcomes.Where(o => !o.Entry.IsTrap && _behindConcentrators.Contains(o.Entry.Source)).ToList();

        Assert.That(_concentrators, Is.EqualTo(4), "one concentrator per district");
        Assert.That(behind.Select(o => o.Entry.Kind), Is.SupersetOf(new[] { "methane-level1", "methane-level2", "device-silent", "reservoir-flood" }),
            "the incidents of methane detectors and reservoirs reach the pipeline through concentrators");
        Assert.That(behind.Where(o => o.Detection is null).Select(o => $"{o.Entry.Kind} on {o.Entry.Source}"), Is.Empty);
    }

    [Test]
    public void Pipeline_Traps_RaiseNothing()
    {
        Assert.That(_truth.Count(t => t.IsTrap), Is.EqualTo(5), "every trap fits a short run");
        Assert.That(_score!.FalsePositivesOnTraps.Select(a => $"{a.Condition} on {a.Source}"), Is.Empty);
    }

    [Test]
    public void Pipeline_OutsideIncidents_NoFalsePositives() =>
        Assert.That(_score!.FalsePositives.Select(a => $"{a.Condition} on {a.Source}"), Is.Empty);

    private static string RegistryLine(CityDevice d) =>
        $"{d.Info.Id},{d.Info.Kind},{d.Info.District},{d.Info.ReportIntervalSeconds},{d.Info.SecretSha256},{d.Info.Parameters}";

    // Every lifecycle event on sensing.alerts, folded into one record per alert id.
    private List<AlertRecord> ReadAlerts(TimeSpan quiet)
    {
        using var consumer = new RecordConsumer(_pipeline.KafkaOptions, "it-city-" + Guid.NewGuid().ToString("N"), "it-city");
        consumer.Subscribe(_pipeline.KafkaOptions.Topics.Alerts);
        var alerts = new Dictionary<string, AlertRecord>(StringComparer.Ordinal);
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed < quiet)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } record)
            {
                continue;
            }

            idle.Restart();
            var e = JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent)!;
            if (e.Type is not (AlertEventType.Raised or AlertEventType.Updated or AlertEventType.Cleared))
            {
                continue;
            }

            var cleared = e.Type == AlertEventType.Cleared ? e.ClearedAtMs ?? e.EventTimeMs : (long?)null;
            alerts[e.Id] = alerts.TryGetValue(e.Id, out var known)
                ? known with { ClearedAtMs = cleared ?? known.ClearedAtMs }
                : new AlertRecord(e.Id, e.Source, e.Condition, e.Severity.ToString(), e.RaisedAtMs, cleared);
        }

        return [.. alerts.Values];
    }
}
