using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Simulators.Backtest;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Replay;
using Sensing.Simulators.Truth;

namespace Sensing.Tests.Simulators;

/// <summary>
/// A small city over fourteen days with every incident kind and every trap, recorded as CSV and run through the
/// backtest (the processor's detection engine), scored against the ground truth.
/// </summary>
[TestFixture]
public sealed class CityBacktestTests
{
    // Every incident kind has its detector in src/Sensing.Detection: each must be detected inside its window.
    private static readonly TestCaseData[] DetectedKinds = [.. IncidentKinds.All.Where(k => !k.IsTrap()).Select(Case)];

    private static readonly long Monday = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(); // local midnight

    private string _dir = "";
    private IReadOnlyList<TruthEntry> _truth = [];
    private DetectionScore? _score;

    [OneTimeSetUp]
    public void RunCityThroughBacktest()
    {
        _dir = Directory.CreateTempSubdirectory("city-backtest-").FullName;
        var options = CityOptions.Default with
        {
            // The 49 devices of the gas and water city, plus 16 fire-safety devices (their counts come out exact).
            Devices = 65,
            Districts = 6,
            Mix = new KindMix(new Dictionary<DeviceKind, double>
            {
                [DeviceKind.GasMeter] = 12, [DeviceKind.MethaneDetector] = 6, [DeviceKind.EvCharger] = 6, [DeviceKind.WaterPressure] = 14,
                [DeviceKind.WaterFlow] = 7, [DeviceKind.ReservoirLevel] = 2, [DeviceKind.RainGauge] = 2,
                [DeviceKind.SmokeAlarm] = 8, [DeviceKind.ElectricalFireDetector] = 4, [DeviceKind.FireWaterPressure] = 4,
            }),
            ReportSeconds = new Dictionary<DeviceKind, int>(CityOptions.Default.ReportSeconds)
            {
                [DeviceKind.MethaneDetector] = 60, [DeviceKind.EvCharger] = 120,
            },
        };
        var city = CityModel.Create(options);
        var plan = IncidentPlan.Apply(city, Monday, TimeSpan.FromDays(14));
        Assert.That(plan.Skipped, Is.Empty, "the test city has room for every incident kind and trap");

        var registry = Path.Combine(_dir, "devices.csv");
        var truth = Path.Combine(_dir, "truth.csv");
        var readings = Path.Combine(_dir, "readings.csv");
        city.WriteRegistry(registry);
        TruthFile.Write(truth, city.Incidents.Select(i => i.Truth));
        CityRecorder.WriteCsv(city, Monday, TimeSpan.FromDays(14), readings);

        _truth = TruthFile.Read(truth);
        var map = SensorMap.FromRegistry(DeviceRegistryFile.Read(registry));
        var recorded = RecordedReadings.Group(RecordingReader.Read(readings, RecordingFormat.Long), map, readings);
        var result = BacktestRun.Run(recorded, map.Devices.Values, DetectionOptions.Default);
        _score = DetectionScore.Compute(_truth, result.Alerts);
        foreach (var line in _score.Report())
        {
            TestContext.Progress.WriteLine(line);
        }
    }

    private static TestCaseData Case(IncidentKind kind) => new(kind.Name());

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Truth_EveryIncidentKindAndTrap_Present()
    {
        Assert.That(_truth.Select(t => t.Kind).Distinct(), Is.EquivalentTo(IncidentKinds.All.Select(k => k.Name())));
        Assert.That(_truth.Where(t => t.IsTrap).Select(t => t.Kind),
            Is.EquivalentTo(new[] { "noisy-sensor", "single-spike", "stuck-at", "big-consumer", "battery-dip", "burnt-toast", "test-button", "pump-start-dip" }));
    }

    [TestCaseSource(nameof(DetectedKinds))]
    public void Backtest_IncidentWithDetector_DetectedInsideItsWindow(string kind)
    {
        // A kitchen fire is two truth lines, one per smoke alarm; every other kind is one.
        var outcomes = _score!.Outcomes.Where(o => o.Entry.Kind == kind).ToList();
        Assert.That(outcomes, Has.Count.EqualTo(kind == "kitchen-fire" ? 2 : 1));
        foreach (var outcome in outcomes)
        {
            Assert.That(outcome.Detection, Is.Not.Null, $"{kind} on {outcome.Entry.Source} should raise {outcome.Entry.ExpectedCondition}");
            Assert.That(outcome.Detection!.Condition, Is.EqualTo(outcome.Entry.ExpectedCondition));
            Assert.That(outcome.TimeToDetection, Is.GreaterThanOrEqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void Backtest_Traps_RaiseNothing()
    {
        var onTraps = _score!.FalsePositivesOnTraps.Select(a => $"{a.Condition} on {a.Source}").ToList();
        Assert.That(onTraps, Is.Empty);
    }

    [Test]
    public void Backtest_OutsideIncidents_NoFalsePositivesBesidesPipeBurst()
    {
        var falsePositives = _score!.FalsePositives.Where(a => a.Condition != "water.pipe-burst")
            .Select(a => $"{a.Condition} on {a.Source} at {CsvTime.Format(a.RaisedAtMs)}").ToList();
        Assert.That(falsePositives, Is.Empty);
    }

    [Test]
    public void Backtest_PipeBurst_NoFalseAlarms()
    {
        var falsePositives = _score!.FalsePositives.Where(a => a.Condition == "water.pipe-burst")
            .Select(a => $"{a.Condition} on {a.Source} at {CsvTime.Format(a.RaisedAtMs)}").ToList();
        Assert.That(falsePositives, Is.Empty);
    }
}
