using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Water;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class WaterPipeBurstTests
{
    private const string District = "laoshan-3";
    private const string Inlet = "wf-00001";
    private const long Step = 5 * Minute;
    private static readonly string[] Sensors = ["wp-00001", "wp-00002", "wp-00003", "wp-00004"];
    private static readonly double[] Heads = [0.40, 0.38, 0.36, 0.42];

    // Two weeks of 5-min readings warm every 30-min slot of the weekly baseline (6 samples a week per slot, 12
    // needed); each sensor's pooled sigma then takes 48 more readings (4 h) before its CUSUM runs.
    private const long Learned = 14 * Day;

    /// <summary>Per reading: (time, device, normal value) -> value sent.</summary>
    private delegate double Alter(long atMs, string id, double value);

    private static WaterTestKit Kit(bool withInlet = true, DetectionOptions? options = null)
    {
        var kit = new WaterTestKit(options);
        if (withInlet)
        {
            kit.Add(Inlet, DeviceKind.WaterFlow, District, "role=inlet");
            kit.Add("wf-00002", DeviceKind.WaterFlow, District, "role=dma");
        }

        foreach (var id in Sensors)
        {
            kit.Add(id, DeviceKind.WaterPressure, District, "role=network");
        }

        return kit;
    }

    private static void Run(WaterTestKit kit, WaterSeries series, long from, long to, Alter? alter = null)
    {
        for (var t = from; t < to; t += Step)
        {
            if (kit.Registry.TryFind(Inlet, out _))
            {
                var flow = series.Flow(t);
                kit.Feed(Inlet, t, Metric.WaterFlow, alter?.Invoke(t, Inlet, flow) ?? flow);
            }

            for (var i = 0; i < Sensors.Length; i++)
            {
                var pressure = series.Pressure(t, Heads[i]);
                kit.Feed(Sensors[i], t, Metric.Pressure, alter?.Invoke(t, Sensors[i], pressure) ?? pressure);
            }
        }
    }

    // A weekday industrial peak 13:00-16:00 local (05:00-08:00 UTC): up to +120 m3/h and 0.02 MPa less, raised
    // cosine, every week: a big consumer the baseline learns.
    private static double Factory(long t, string id, double value)
    {
        var hours = (t % Day) / (double)Hour;
        var weekday = (t % (7 * Day)) < 5 * Day;
        if (!weekday || hours is < 5 or >= 8)
        {
            return value;
        }

        var shape = 0.5 - (0.5 * Math.Cos(2 * Math.PI * (hours - 5) / 3));
        return id == Inlet ? value + (120 * shape) : value - (0.02 * shape);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Process_ThreeWeeksOfDiurnalDemandWithNoise_RaisesNothing(int seed)
    {
        var kit = Kit();

        Run(kit, new WaterSeries(seed), 0, 21 * Day);

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Processed, Is.EqualTo(21 * Day / Step * 5));
    }

    [Test]
    public void Process_TwentyDistrictsWithAndWithoutBurst_EveryBurstFoundNoFalseAlarm()
    {
        // 20 seeded districts run twice each over three weeks: once clean, once with a smaller burst (+50 m3/h,
        // 0.015 MPa at two sensors) at a different hour of day 15 each, lasting 6 h.
        var falseAlarms = new List<string>();
        var minutesToDetect = new List<double>();
        for (var seed = 100; seed < 120; seed++)
        {
            foreach (var withBurst in new[] { false, true })
            {
                var kit = Kit();
                var burst = Learned + (seed % 24 * Hour);
                Run(kit, new WaterSeries(seed), 0, Learned + (7 * Day), (t, id, value) =>
                    !withBurst || t < burst || t >= burst + (6 * Hour) ? value
                    : id == Inlet ? value + 50 : id == Sensors[0] || id == Sensors[1] ? value - 0.015 : value);

                foreach (var raised in kit.Of(AlertCondition.PipeBurst).Where(e => e.Type == AlertEventType.Raised))
                {
                    var inWindow = withBurst && raised.RaisedAtMs >= T0 + burst && raised.RaisedAtMs < T0 + burst + (6 * Hour);
                    if (inWindow)
                    {
                        minutesToDetect.Add((raised.RaisedAtMs - T0 - burst) / (double)Minute);
                    }
                    else
                    {
                        falseAlarms.Add($"seed {seed}: {raised.Message} at {raised.RaisedAtMs - T0} ms");
                    }
                }
            }
        }

        Assert.That(falseAlarms, Is.Empty);
        Assert.That(minutesToDetect, Has.Count.EqualTo(20));
        Assert.That(minutesToDetect.Max(), Is.LessThanOrEqualTo(60));
        TestContext.Out.WriteLine($"time to detection, minutes: median {minutesToDetect.Order().ElementAt(10)}, max {minutesToDetect.Max()}");
    }

    [Test]
    public void Process_LearnedBigConsumer_RaisesNothing()
    {
        var kit = Kit();

        Run(kit, new WaterSeries(2), 0, 21 * Day, Factory);

        Assert.That(kit.Events, Is.Empty);
    }

    // The baseline's own error at the demand peaks, as the instrumented city backtest showed it: around the morning
    // peak (05:00-11:00 local, raised cosine) inflow runs 1.5 % above its baseline and every pressure sensor 0.003 MPa
    // (0.75 sigma) below, every day of the third week, at all sensors of the district at once.
    private static double PeakAboveBaseline(long t, string id, double value)
    {
        var hours = ((t + (8 * Hour)) % Day) / (double)Hour;
        if (t < Learned || hours is < 5 or >= 11)
        {
            return value;
        }

        var shape = 0.5 - (0.5 * Math.Cos(2 * Math.PI * (hours - 5) / 6));
        return id == Inlet ? value * (1 + (0.015 * shape)) : value - (0.003 * shape);
    }

    [Test]
    public void Process_DemandPeakSlightlyAboveBaselineAllWeek_RaisesNothing()
    {
        var kit = Kit();

        Run(kit, new WaterSeries(9), 0, Learned + (7 * Day), PeakAboveBaseline);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_DemandPeakSlightlyAboveBaselineWithoutMinimumBurst_RaisesFalseBurst()
    {
        // Slack k = 0.5 sigma alone tunes the CUSUMs to a 1 sigma shift, the size of that error: the same week raises.
        var options = DetectionOptions.Default with
        {
            Water = WaterOptions.Default with { PipeBurst = PipeBurstOptions.Default with { MinimumBurstFraction = 0 } },
        };
        var kit = Kit(options: options);

        Run(kit, new WaterSeries(9), 0, Learned + (7 * Day), PeakAboveBaseline);

        Assert.That(kit.Of(AlertCondition.PipeBurst).Where(e => e.Type == AlertEventType.Raised), Is.Not.Empty);
    }

    [Test]
    public void Process_BurstAfterWarmup_OneDistrictAlertThenClearAfterRepair()
    {
        var kit = Kit();
        var series = new WaterSeries(3);
        var burst = Learned + Day + (2 * Hour);     // 10:00 local on day 16, the baseline fully warm
        var repair = burst + (6 * Hour);
        Run(kit, series, 0, Learned + (2 * Day), (t, id, value) =>
        {
            if (t < burst || t >= repair)
            {
                return value;
            }

            // 70 m3/h lost through the break; the two sensors next to it drop 0.02 MPa, the others 0.006 MPa.
            return id == Inlet ? value + 70 : id == Sensors[0] || id == Sensors[1] ? value - 0.02 : value - 0.006;
        });

        var events = kit.Of(AlertCondition.PipeBurst);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        var (raised, cleared) = (events[0], events[1]);
        Assert.Multiple(() =>
        {
            Assert.That(raised.Source, Is.EqualTo(District));
            Assert.That(raised.District, Is.EqualTo(District));
            Assert.That(raised.Condition, Is.EqualTo("water.pipe-burst"));
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.High));
            Assert.That(raised.Devices, Does.Contain(Inlet).And.Contain(Sensors[0]).And.Contain(Sensors[1]));
            Assert.That(raised.Devices, Does.Not.Contain("wf-00002"), "a DMA meter takes no part");
            Assert.That(raised.RaisedAtMs - (T0 + burst), Is.InRange(15 * Minute, Hour), "time to detection: trips plus the 15 min on-delay");
            Assert.That(raised.Id, Is.EqualTo(AlertId.Create(District, AlertCondition.PipeBurst, raised.RaisedAtMs)));
            Assert.That(raised.Value, Is.GreaterThanOrEqualTo(5), "the highest CUSUM at the raise, in sigma, is past h");
            Assert.That(cleared.PeakValue, Is.GreaterThanOrEqualTo(raised.Value));
            Assert.That(cleared.Count, Is.GreaterThan(raised.Count), "readings with a CUSUM tripped while active");
            Assert.That(cleared.Id, Is.EqualTo(raised.Id));
            Assert.That(cleared.ClearedAtMs - (T0 + repair), Is.InRange(30 * Minute, 3 * Hour), "CUSUMs fall back, then the 30 min off-delay");
            Assert.That(kit.Engine.Water.PipeBurst.ActiveCount, Is.Zero);
        });
        Assert.That(kit.Events.Where(e => e.Condition != "water.pipe-burst"), Is.Empty, "pressure stays far above 0.14 MPa");
    }

    [Test]
    public void Process_BurstDuringWarmup_RaisesNothing()
    {
        var kit = Kit();

        Run(kit, new WaterSeries(4), 0, 3 * Day, (t, id, value) =>
            t < Day + (2 * Hour) ? value : id == Inlet ? value + 70 : value - 0.02);

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Water.PipeBurst.CusumOf(kit.Number(Inlet)), Is.Zero, "no slot has learned enough to judge");
    }

    [Test]
    public void Process_SingleSpikeAndDipTogether_RaisesNothing()
    {
        var kit = Kit();
        var glitch = Learned + (5 * Hour);

        // One reading: inflow +300 m3/h and every pressure 0.1 MPa down at once (e.g. a hydrant flushed briefly).
        Run(kit, new WaterSeries(5), 0, Learned + Day, (t, id, value) => t != glitch ? value : id == Inlet ? value + 300 : value - 0.1);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_FlowRiseWithoutPressureDrop_RaisesNothing()
    {
        var kit = Kit();

        // An unscheduled 3 h fill of a large consumer's tank on a stiff network: inflow up, pressure unchanged.
        Run(kit, new WaterSeries(6), 0, Learned + Day, (t, id, value) =>
            id == Inlet && t >= Learned + (3 * Hour) && t < Learned + (6 * Hour) ? value + 90 : value);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_StuckSensorsInDistrictWithoutInlet_RaiseNothing()
    {
        var kit = Kit(withInlet: false);
        var freeze = Learned + (6 * Hour);
        var frozen = new Dictionary<string, double>();

        // Two sensors freeze at their last value through the evening peak: against the diurnal baseline that is a
        // growing residual, but a frozen value is a fault, not a burst.
        Run(kit, new WaterSeries(7), 0, Learned + Day, (t, id, value) =>
        {
            if (t < freeze || (id != Sensors[0] && id != Sensors[1]))
            {
                return value;
            }

            return frozen.TryGetValue(id, out var stuck) ? stuck : frozen[id] = value + 0.03;
        });

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Water.PipeBurst.CusumOf(kit.Number(Sensors[0])), Is.Zero);
    }

    [Test]
    public void Process_TwoPressureDropsInDistrictWithoutInlet_RaisesByPressureVote()
    {
        var kit = Kit(withInlet: false);
        var burst = Learned + (2 * Hour);

        Run(kit, new WaterSeries(8), 0, Learned + Day, (t, id, value) =>
            t >= burst && t < burst + (4 * Hour) && (id == Sensors[2] || id == Sensors[3]) ? value - 0.025 : value);

        var raised = kit.Of(AlertCondition.PipeBurst).Where(e => e.Type == AlertEventType.Raised).ToList();
        Assert.That(raised, Has.Count.EqualTo(1));
        Assert.That(raised[0].Devices, Is.EquivalentTo(new[] { Sensors[2], Sensors[3] }));
    }

    [TestCase(-0.01)]
    [TestCase(1.0)]
    [TestCase(double.NaN)]
    public void Constructor_MinimumBurstFractionOutOfRange_ThrowsNamingIt(double fraction)
    {
        var options = DetectionOptions.Default with
        {
            Water = WaterOptions.Default with { PipeBurst = PipeBurstOptions.Default with { MinimumBurstFraction = fraction } },
        };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("MinimumBurstFraction"));
    }

    [Test]
    public void Constructor_SlotNotDividingPeriod_ThrowsNamingSlot()
    {
        var options = DetectionOptions.Default with
        {
            Water = WaterOptions.Default with { PipeBurst = PipeBurstOptions.Default with { Slot = TimeSpan.FromMinutes(11) } },
        };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Slot").And.Message.Contains("Period"));
    }
}
