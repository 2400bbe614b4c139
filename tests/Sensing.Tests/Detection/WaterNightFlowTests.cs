using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Water;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class WaterNightFlowTests
{
    private const string District = "chengyang-4";
    private const string Inlet = "wf-00011";
    private const string Dma = "wf-00012";
    private const long Step = 5 * Minute;

    // The night window 02:00-04:00 local (UTC+8) is 18:00-20:00 UTC; T0 is 00:00 UTC, so the first night of the
    // data is on UTC day 0 and is judged by the reading at 20:00 UTC.
    private const long JudgedAt = 20 * Hour;

    private static WaterTestKit Kit(DetectionOptions? options = null) =>
        new WaterTestKit(options).Add(Inlet, DeviceKind.WaterFlow, District, "role=inlet").Add(Dma, DeviceKind.WaterFlow, District, "role=dma");

    /// <summary>Feeds both meters every 5 min over [from, to), the inlet with <paramref name="extra"/> m3/h added.</summary>
    private static void Run(WaterTestKit kit, WaterSeries series, long from, long to, Func<long, double> extra)
    {
        for (var t = from; t < to; t += Step)
        {
            kit.Feed(Inlet, t, Metric.WaterFlow, series.Flow(t) + extra(t));
            kit.Feed(Dma, t, Metric.WaterFlow, 0.2 * series.Flow(t) + (4 * extra(t)));
        }
    }

    [Test]
    public void Process_LeakAfterBaseline_DistrictAlertWhenSecondFlaggedNightIsJudged()
    {
        var kit = Kit();

        // 12 clean nights (10 fill the baseline, 2 are judged normal), then 50 m3/h of new leakage on ~175 m3/h: night 12
        // is flagged, night 13 confirms it (confirmNights 2).
        Run(kit, new WaterSeries(21), 0, 14 * Day, t => t >= 12 * Day ? 50 : 0);

        var events = kit.Of(AlertCondition.NightFlowRise);
        Assert.That(events, Has.Count.EqualTo(1), "later flagged nights of the same meter update nothing");
        var raised = events[0];
        Assert.Multiple(() =>
        {
            Assert.That(raised.Type, Is.EqualTo(AlertEventType.Raised));
            Assert.That(raised.Source, Is.EqualTo(District));
            Assert.That(raised.Condition, Is.EqualTo("water.night-flow-rise"));
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Medium));
            Assert.That(raised.Devices, Is.EqualTo(new[] { Inlet }), "a DMA meter takes no part");
            Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (13 * Day) + JudgedAt));
            Assert.That(raised.Value, Is.InRange(200, 260), "night 13's MNF: ~180 m3/h of night use plus the 50 m3/h leak");
            Assert.That(raised.Message, Does.StartWith("Night flow risen in district chengyang-4: MNF"));
            Assert.That(kit.Engine.Water.NightFlow.ActiveCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void Process_DrawOverOneNight_RaisesNothingUnlessConfirmNightsIsOne()
    {
        // Mains flushing through night 12's window only (17:00-21:00 UTC, 01:00-05:00 local): 150 m3/h on ~175, one
        // flagged night and a normal one after it.
        static double Draw(long t) => t >= (12 * Day) + (17 * Hour) && t < (12 * Day) + (21 * Hour) ? 150 : 0;
        var confirmed = Kit();
        var single = Kit(DetectionOptions.Default with
        {
            Water = DetectionOptions.Default.Water with { NightFlow = NightFlowOptions.Default with { ConfirmNights = 1 } },
        });

        Run(confirmed, new WaterSeries(27), 0, 16 * Day, Draw);
        Run(single, new WaterSeries(27), 0, 16 * Day, Draw);

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Of(AlertCondition.NightFlowRise), Is.Empty, "one high night is not a leak");
            Assert.That(single.Of(AlertCondition.NightFlowRise).Select(e => (e.Type, e.EventTimeMs)), Is.EqualTo(new[]
            {
                (AlertEventType.Raised, T0 + (12 * Day) + JudgedAt),
                (AlertEventType.Cleared, T0 + (13 * Day) + JudgedAt),
            }), "the LeakDB rule as published flags the night itself");
        });
    }

    [Test]
    public void Process_LongLeakThenRepair_StaysActiveBecauseFlaggedNightsStayOutThenClears()
    {
        var kit = Kit();

        // A 14-night leak: were flagged nights learned, the baseline would be all leak after 10 and the alert clear.
        Run(kit, new WaterSeries(22), 0, 30 * Day, t => t >= 12 * Day && t < 26 * Day ? 50 : 0);

        var events = kit.Of(AlertCondition.NightFlowRise);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[1].ClearedAtMs, Is.EqualTo(T0 + (26 * Day) + JudgedAt), "the first night after the repair");
        Assert.That(events[1].Count, Is.EqualTo(14), "one per flagged night");
        Assert.That(events[1].Devices, Is.EqualTo(new[] { Inlet }));
    }

    [Test]
    public void Process_NoisyNightsAndDaytimeConsumerInUtcNight_RaiseNothing()
    {
        var kit = Kit();

        // +200 m3/h from 02:00 to 04:00 UTC (10:00-12:00 local): night in UTC, daytime in the district.
        Run(kit, new WaterSeries(23), 0, 30 * Day, t => t % Day >= 2 * Hour && t % Day < 4 * Hour ? 200 : 0);

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Water.NightFlow.LastMinimumNightFlow(kit.Number(Inlet)), Is.InRange(150, 200));
        Assert.That(kit.Engine.Water.NightFlow.LastMinimumNightFlow(kit.Number(Dma)), Is.NaN);
    }

    [Test]
    public void Process_LeakPresentFromFirstNight_LearnedAsNormal()
    {
        var kit = Kit();

        // The rule cannot tell a leak older than its baseline: every night it ever saw has the leakage.
        Run(kit, new WaterSeries(24), 0, 20 * Day, _ => 50);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_LeakWhileBaselineFills_RaisedAtSecondJudgedNight()
    {
        var kit = Kit();

        // Nights 0-4 are clean and stay in the 10-night baseline, so night 10, the first one judged, is flagged, and
        // night 11 confirms it.
        Run(kit, new WaterSeries(24), 0, 12 * Day, t => t >= 5 * Day ? 50 : 0);

        var events = kit.Of(AlertCondition.NightFlowRise);
        Assert.That(events.Select(e => (e.Type, e.RaisedAtMs)), Is.EqualTo(new[] { (AlertEventType.Raised, T0 + (11 * Day) + JudgedAt) }));
    }

    [Test]
    public void Process_DistrictGammaHalf_RiseOfThirtyPercentNotFlagged()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    [District] = o => o with { Water = o.Water with { NightFlow = o.Water.NightFlow with { Gamma = 0.5 } } },
                },
            },
        };
        var kit = Kit(options);

        Run(kit, new WaterSeries(25), 0, 16 * Day, t => t >= 12 * Day ? 50 : 0);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_NightWithOneReading_SkippedNotJudged()
    {
        var kit = Kit();
        var series = new WaterSeries(26);
        Run(kit, series, 0, 12 * Day, _ => 0);

        // Night 12 has a single reading (a gap in reporting), with a leak: too few readings to be a minimum.
        kit.Feed(Inlet, (12 * Day) + (18 * Hour) + (30 * Minute), Metric.WaterFlow, 400);
        kit.Feed(Inlet, (12 * Day) + JudgedAt, Metric.WaterFlow, 400);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Constructor_NightEndBeforeStart_ThrowsNamingNightEnd()
    {
        var options = DetectionOptions.Default with
        {
            Water = WaterOptions.Default with { NightFlow = NightFlowOptions.Default with { NightEnd = TimeSpan.FromHours(1) } },
        };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("NightEnd").And.Message.Contains("NightStart"));
    }
}
