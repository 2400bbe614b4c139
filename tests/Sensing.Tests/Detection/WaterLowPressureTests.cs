using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Water;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class WaterLowPressureTests
{
    private const string District = "laoshan-3";
    private static readonly string[] Sensors = ["wp-00001", "wp-00002", "wp-00003", "wp-00004", "wp-00005"];

    private static WaterTestKit Kit(DetectionOptions? options = null)
    {
        var kit = new WaterTestKit(options);
        foreach (var id in Sensors)
        {
            kit.Add(id, DeviceKind.WaterPressure, District, "role=far-end");
        }

        return kit.Add("wp-10001", DeviceKind.WaterPressure, "huangdao-1", "role=far-end");
    }

    [Test]
    public void Process_OneSensorBelowLimitPastOnDelay_RaisesDeviceAlert()
    {
        var kit = Kit();
        kit.Feed(Sensors[0], 0, Metric.Pressure, 0.25);
        kit.Feed(Sensors[0], Minute, Metric.Pressure, 0.12);
        kit.Feed(Sensors[0], 5 * Minute, Metric.Pressure, 0.11);
        Assert.That(kit.Events, Is.Empty, "4 min below: inside the 5 min on-delay");

        kit.Feed(Sensors[0], 6 * Minute, Metric.Pressure, 0.13);

        Assert.That(kit.Events, Has.Count.EqualTo(1));
        var raised = kit.Events[0];
        Assert.Multiple(() =>
        {
            Assert.That(raised.Type, Is.EqualTo(AlertEventType.Raised));
            Assert.That(raised.Condition, Is.EqualTo("water.low-pressure"));
            Assert.That(raised.Source, Is.EqualTo(Sensors[0]));
            Assert.That(raised.Devices, Is.Null);
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Medium));
            Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (6 * Minute)));
            Assert.That(kit.Engine.Water.LowPressure.IsLow(kit.Number(Sensors[0])), Is.True);
        });
    }

    [Test]
    public void Process_SingleDip_RaisesNothing()
    {
        var kit = Kit();
        var series = new WaterSeries(7);
        for (var t = 0L; t < Day; t += 5 * Minute)
        {
            // One reading at 0.05 MPa at noon: a transient, not insufficient supply.
            kit.Feed(Sensors[0], t, Metric.Pressure, t == 12 * Hour ? 0.05 : series.Pressure(t));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_NoisySensorJustAboveLimit_RaisesNothing()
    {
        var kit = Kit();
        var series = new WaterSeries(11);

        // A far-end sensor at the evening peak is down to ~0.20 MPa; noise sigma 0.01 MPa, a week of 1-min reports.
        for (var t = 0L; t < 7 * Day; t += Minute)
        {
            kit.Feed(Sensors[1], t, Metric.Pressure, series.Pressure(t, headMpa: 0.32, noiseMpa: 0.01));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_RecoveryInsideDeadband_StaysActiveThenClearsAfterOffDelay()
    {
        var kit = Kit();
        kit.Feed(Sensors[0], 0, Metric.Pressure, 0.10);
        kit.Feed(Sensors[0], 5 * Minute, Metric.Pressure, 0.10);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        // 0.15 is above the limit but inside the 0.02 MPa deadband.
        kit.Feed(Sensors[0], 10 * Minute, Metric.Pressure, 0.15);
        kit.Feed(Sensors[0], 20 * Minute, Metric.Pressure, 0.159);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        kit.Feed(Sensors[0], 30 * Minute, Metric.Pressure, 0.16);
        kit.Feed(Sensors[0], (30 * Minute) + 14_000, Metric.Pressure, 0.30);
        Assert.That(kit.Events, Has.Count.EqualTo(1), "off-delay of 15 s not over");

        kit.Feed(Sensors[0], (30 * Minute) + 15_000, Metric.Pressure, 0.30);
        Assert.That(kit.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(kit.Events[1].Message, Does.Contain("lowest 0.100 MPa"));
        Assert.That(kit.Engine.Water.LowPressure.ActiveDeviceAlerts, Is.Zero);
    }

    [Test]
    public void Process_FourSensorsOfDistrictLowTogether_OneDistrictAlertListingThem()
    {
        var kit = Kit();
        var series = new WaterSeries(3);
        for (var t = 0L; t < 6 * Hour; t += 5 * Minute)
        {
            // A pump trip at 02:00 takes four of the five sensors to ~0.08 MPa until 03:00.
            foreach (var id in Sensors)
            {
                var outage = t >= 2 * Hour && t < 3 * Hour && id != Sensors[4];
                kit.Feed(id, t, Metric.Pressure, outage ? 0.08 + (0.005 * series.Gaussian()) : series.Pressure(t));
            }
        }

        var district = kit.Events.Where(e => e.Source == District).ToList();
        Assert.That(district.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Updated, AlertEventType.Cleared }));
        Assert.Multiple(() =>
        {
            Assert.That(district[0].Devices, Is.EqualTo(Sensors[..2]), "the two sensors that made the group");
            Assert.That(district[1].Devices, Is.EqualTo(Sensors[..4]), "the later ones joined");
            Assert.That(district[2].Devices, Is.EqualTo(Sensors[..4]));
            Assert.That(district[0].Severity, Is.EqualTo(AlertSeverity.High));
            Assert.That(district[0].District, Is.EqualTo(District));
            Assert.That(district[0].DeviceKind, Is.Empty);
            Assert.That(district[0].Id, Is.EqualTo(AlertId.Create(District, AlertCondition.LowPressure, T0 + (2 * Hour) + (5 * Minute))));
            Assert.That(district.Select(e => e.Id).Distinct().Count(), Is.EqualTo(1));
            // Back above the deadband at 03:00; the next 5-min reading is past the 15 s off-delay.
            Assert.That(district[2].ClearedAtMs, Is.EqualTo(T0 + (3 * Hour) + (5 * Minute)));
        });

        // The first sensor confirmed alone for an instant: its device alert is folded into the district alert.
        var device = kit.Events.Where(e => e.Source != District).ToList();
        Assert.That(device.Select(e => (e.Source, e.Type)), Is.EqualTo(new[] { (Sensors[0], AlertEventType.Raised), (Sensors[0], AlertEventType.Cleared) }));
        Assert.That(device[1].Message, Does.Contain(district[0].Id));
        Assert.That(kit.Engine.Water.LowPressure.ActiveDistrictAlerts, Is.Zero);
    }

    [Test]
    public void Process_SameDistrictOutageReplayedInFreshEngine_SameEventsAndIds()
    {
        static List<string> Run()
        {
            var kit = Kit();
            var series = new WaterSeries(5);
            for (var t = 0L; t < 4 * Hour; t += 5 * Minute)
            {
                foreach (var id in Sensors)
                {
                    var outage = t >= Hour && t < 2 * Hour && id != Sensors[0];
                    kit.Feed(id, t, Metric.Pressure, outage ? 0.09 : series.Pressure(t));
                }
            }

            return kit.Events.Select(e => $"{e.Id} {e.Type} {e.Source} {e.RaisedAtMs} {e.EventTimeMs} {string.Join(',', e.Devices ?? [])}").ToList();
        }

        var first = Run();

        Assert.That(first, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(Run(), Is.EqualTo(first));
    }

    [Test]
    public void Process_OneLowSensorInEachOfTwoDistricts_TwoDeviceAlertsNoDistrictAlert()
    {
        var kit = Kit();
        foreach (var id in new[] { Sensors[2], "wp-10001" })
        {
            kit.Feed(id, 0, Metric.Pressure, 0.1);
            kit.Feed(id, 5 * Minute, Metric.Pressure, 0.1);
        }

        Assert.That(kit.Events.Select(e => (e.Source, e.Type)), Is.EqualTo(new[] { (Sensors[2], AlertEventType.Raised), ("wp-10001", AlertEventType.Raised) }));
        Assert.That(kit.Engine.Water.LowPressure.TryGetDistrictAlert(District, out _), Is.False);
    }

    [Test]
    public void Process_DistrictMinSensorsThree_TwoLowStayDeviceAlerts()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    [District] = o => o with { Water = o.Water with { LowPressure = o.Water.LowPressure with { DistrictMinSensors = 3 } } },
                },
            },
        };
        var kit = Kit(options);
        foreach (var id in Sensors[..2])
        {
            kit.Feed(id, 0, Metric.Pressure, 0.1);
            kit.Feed(id, 5 * Minute, Metric.Pressure, 0.1);
        }

        Assert.That(kit.Events.Select(e => e.Source), Is.EqualTo(Sensors[..2]));
        kit.Feed(Sensors[2], 0, Metric.Pressure, 0.1);
        kit.Feed(Sensors[2], 5 * Minute, Metric.Pressure, 0.1);
        Assert.That(kit.Engine.Water.LowPressure.TryGetDistrictAlert(District, out _), Is.True);
    }

    [Test]
    public void Process_SensorsRegisteredAfterEngineBuilt_JoinTheirDistrict()
    {
        var kit = Kit();
        kit.Feed(Sensors[0], 0, Metric.Pressure, 0.3);
        kit.Add("wp-20001", DeviceKind.WaterPressure, "jiaozhou-1").Add("wp-20002", DeviceKind.WaterPressure, "jiaozhou-1");

        foreach (var id in new[] { "wp-20001", "wp-20002" })
        {
            kit.Feed(id, Minute, Metric.Pressure, 0.1);
            kit.Feed(id, 6 * Minute, Metric.Pressure, 0.1);
        }

        var district = kit.Events.Where(e => e.Source == "jiaozhou-1").ToList();
        Assert.That(district, Has.Count.EqualTo(1));
        Assert.That(district[0].Devices, Is.EqualTo(new[] { "wp-20001", "wp-20002" }));
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        var d = LowPressureOptions.Default;
        yield return new TestCaseData(d with { MinimumMpa = 0 }, "MinimumMpa").SetName("LowPressure_MinimumZero");
        yield return new TestCaseData(d with { MinimumMpa = double.NaN }, "MinimumMpa").SetName("LowPressure_MinimumNaN");
        yield return new TestCaseData(d with { SpanMpa = 0.1 }, "MinimumMpa").SetName("LowPressure_MinimumAboveSpan");
        yield return new TestCaseData(d with { DeadbandPercentOfSpan = -1 }, "DeadbandPercentOfSpan").SetName("LowPressure_DeadbandNegative");
        yield return new TestCaseData(d with { OnDelay = TimeSpan.FromSeconds(-1) }, "OnDelay").SetName("LowPressure_OnDelayNegative");
        yield return new TestCaseData(d with { DistrictMinSensors = 1 }, "DistrictMinSensors").SetName("LowPressure_DistrictOfOne");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadLowPressureOption_ThrowsNamingIt(LowPressureOptions lowPressure, string option)
    {
        var options = DetectionOptions.Default with { Water = WaterOptions.Default with { LowPressure = lowPressure } };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo(option).And.Message.Contains(option));
    }

    [Test]
    public void Constructor_BadDistrictOverride_ThrowsNamingDistrictAndOption()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    [District] = o => o with { Water = o.Water with { HeavyRain = o.Water.HeavyRain with { Bucket = TimeSpan.FromMinutes(7) } } },
                },
            },
        };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Districts[laoshan-3].Bucket")
                .And.Message.StartWith("Districts[laoshan-3].Bucket: must divide Window (1.00:00:00) into at most 1440 whole buckets, was 00:07:00"));
    }
}
