using System.Buffers;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

/// <summary>
/// The water detectors through a snapshot: an engine restored mid-run from another engine's snapshot raises, updates
/// and clears exactly what the uninterrupted engine does, over a scenario with a pipe burst, low pressure across a
/// district, a night-flow rise, a reservoir through its colours and heavy rain, all active around the cuts.
/// </summary>
[TestFixture]
public sealed class WaterSnapshotTests
{
    private const long Step = 5 * Minute;
    private const long End = 18 * Day;
    private const long Burst = (15 * Day) + (2 * Hour);

    // District A: inlet meter, DMA meter and four pressure sensors (a burst); district B: three pressure sensors, no
    // inlet (low pressure, one sensor then the district); district C: an inlet meter only (a night-flow rise).
    private static readonly (string Id, DeviceKind Kind, string District, string Parameters)[] Devices =
    [
        ("wf-a1", DeviceKind.WaterFlow, "a", "role=inlet"),
        ("wf-a2", DeviceKind.WaterFlow, "a", "role=dma"),
        ("wp-a1", DeviceKind.WaterPressure, "a", "role=network"),
        ("wp-a2", DeviceKind.WaterPressure, "a", "role=network"),
        ("wp-a3", DeviceKind.WaterPressure, "a", "role=network"),
        ("wp-a4", DeviceKind.WaterPressure, "a", "role=network"),
        ("wp-b1", DeviceKind.WaterPressure, "b", "role=far-end"),
        ("wp-b2", DeviceKind.WaterPressure, "b", "role=far-end"),
        ("wp-b3", DeviceKind.WaterPressure, "b", "role=far-end"),
        ("wf-c1", DeviceKind.WaterFlow, "c", "role=inlet"),
        ("rl-a1", DeviceKind.ReservoirLevel, "a", "flood_limit_m=9.2;warning_m=10;guaranteed_m=12;historic_max_m=13"),
        ("rg-b1", DeviceKind.RainGauge, "b", ""),
    ];

    private static readonly double[] HeadsA = [0.40, 0.38, 0.36, 0.42];

    // One reading (Id set) or an event-time advance (Id null), T after T0.
    private readonly record struct Reading(string? Id, long T, Metric Metric, double Value);

    private static readonly Reading[] Scenario = Build();

    [TestCase(7 * Day, TestName = "RestoreSnapshot_WaterBaselinesHalfLearned_RestoredEngineRaisesWhatTheOriginalRaises")]
    [TestCase((15 * Day) + (3 * Hour) + (20 * Minute), TestName = "RestoreSnapshot_WaterDeviceAlertAndBurstPending_RestoredEngineRaisesWhatTheOriginalRaises")]
    [TestCase((15 * Day) + (5 * Hour) + (30 * Minute), TestName = "RestoreSnapshot_WaterEveryAlertActive_RestoredEngineRaisesWhatTheOriginalRaises")]
    [TestCase((16 * Day) + (1 * Hour), TestName = "RestoreSnapshot_WaterAlertsClearing_RestoredEngineRaisesWhatTheOriginalRaises")]
    public void RestoreSnapshot_MidWaterScenario_RestoredEngineRaisesWhatTheOriginalRaises(long splitMs)
    {
        var split = Array.FindIndex(Scenario, r => r.T >= splitMs);
        var original = Kit();
        Run(original, Scenario.AsSpan(0, split));

        // The restoring engine numbers its devices the other way round: districts and baselines are found by name and id.
        var restored = Kit(reversed: true);
        var count = restored.Engine.RestoreSnapshot(Snapshot(original));
        restored.ContinueSequencesOf(original);
        var before = original.Events.Count;

        Run(original, Scenario.AsSpan(split));
        Run(restored, Scenario.AsSpan(split));

        var expected = original.Events.Skip(before).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(Devices.Length));
            Assert.That(expected, Is.Not.Empty, "the scenario goes on raising or clearing after the cut");
            Assert.That(restored.Events.Select(Describe), Is.EqualTo(expected.Select(Describe)));
        });
    }

    [Test]
    public void Run_WholeScenario_RaisesEveryWaterConditionAndClearsIt()
    {
        // The scenario is worth cutting: every condition is raised, district ones by district, and cleared again.
        var kit = Kit();
        Run(kit, Scenario);

        Assert.Multiple(() =>
        {
            foreach (var (condition, source) in new[]
            {
                (AlertCondition.PipeBurst, "a"), (AlertCondition.LowPressure, "wp-b1"), (AlertCondition.LowPressure, "b"),
                (AlertCondition.NightFlowRise, "c"), (AlertCondition.ReservoirLevel, "rl-a1"), (AlertCondition.HeavyRain, "rg-b1"),
            })
            {
                var types = kit.Of(condition).Where(e => e.Source == source).Select(e => e.Type).ToList();
                Assert.That(types, Does.Contain(AlertEventType.Raised).And.Contain(AlertEventType.Cleared), $"{condition.Name()} at {source}");
            }

            Assert.That(kit.Of(AlertCondition.LowPressure).Where(e => e.Source == "b").Select(e => e.Type), Does.Contain(AlertEventType.Updated),
                "a third sensor joins the district alert");
            Assert.That(kit.Of(AlertCondition.ReservoirLevel).Count(e => e.Type == AlertEventType.Updated), Is.EqualTo(3), "blue to red");
        });

        // What a checkpoint carries per device of each kind (README, "Restart and rebalance"), and district a's record.
        foreach (var id in new[] { "wp-a1", "wf-a1", "wf-a2", "rl-a1", "rg-b1" })
        {
            var size = Snapshot(kit, [kit.Number(id)]).Length - Snapshot(kit, []).Length;
            TestContext.Out.WriteLine($"snapshot bytes for {id}: {size}");
        }
    }

    [Test]
    public void RestoreSnapshot_NoSnapshotRestored_SameReadingsGiveOtherEvents()
    {
        // The control for the round trip: without the state, the burst, district and night-flow alerts active at the
        // cut are never cleared (and baselines learn again), so equal events above come from the snapshot.
        var split = Array.FindIndex(Scenario, r => r.T >= (15 * Day) + (5 * Hour) + (30 * Minute));
        var original = Kit();
        Run(original, Scenario.AsSpan(0, split));
        var fresh = Kit();
        fresh.ContinueSequencesOf(original);
        var before = original.Events.Count;

        Run(original, Scenario.AsSpan(split));
        Run(fresh, Scenario.AsSpan(split));

        Assert.That(fresh.Events.Select(Describe), Is.Not.EqualTo(original.Events.Skip(before).Select(Describe)));
    }

    [Test]
    public void RestoreSnapshot_EveryAlertActive_DistrictAlertsAndCountsRestored()
    {
        var split = Array.FindIndex(Scenario, r => r.T >= (15 * Day) + (5 * Hour) + (30 * Minute));
        var original = Kit();
        Run(original, Scenario.AsSpan(0, split));
        var restored = Kit(reversed: true);

        restored.Engine.RestoreSnapshot(Snapshot(original));

        var water = restored.Engine.Water;
        Assert.Multiple(() =>
        {
            Assert.That(water.PipeBurst.ActiveCount, Is.EqualTo(1));
            Assert.That(water.LowPressure.ActiveDistrictAlerts, Is.EqualTo(1));
            Assert.That(water.LowPressure.TryGetDistrictAlert("b", out var id), Is.True);
            Assert.That(original.Engine.Water.LowPressure.TryGetDistrictAlert("b", out var originalId) ? originalId : "", Is.EqualTo(id));
            Assert.That(water.LowPressure.IsLow(restored.Number("wp-b3")), Is.True);
            Assert.That(water.NightFlow.ActiveCount, Is.EqualTo(1));
            Assert.That(water.NightFlow.LastMinimumNightFlow(restored.Number("wf-c1")),
                Is.EqualTo(original.Engine.Water.NightFlow.LastMinimumNightFlow(original.Number("wf-c1"))));
            Assert.That(water.ReservoirLevel.ActiveCount, Is.EqualTo(1));
            Assert.That(water.HeavyRain.WindowRainMm(restored.Number("rg-b1")), Is.EqualTo(original.Engine.Water.HeavyRain.WindowRainMm(original.Number("rg-b1"))));
            Assert.That(water.PipeBurst.CusumOf(restored.Number("wf-a1")), Is.EqualTo(original.Engine.Water.PipeBurst.CusumOf(original.Number("wf-a1"))));
        });
    }

    [Test]
    public void RestoreSnapshot_DistrictOnlyInOneOfTwoSnapshots_OtherSnapshotLeavesItAlone()
    {
        // Two partitions: district b's sensors in one snapshot, everything else in the other. The district's state
        // travels with its sensors only, so restoring both (either order) gives the one engine's state back.
        var split = Array.FindIndex(Scenario, r => r.T >= (15 * Day) + (5 * Hour) + (30 * Minute));
        var original = Kit();
        Run(original, Scenario.AsSpan(0, split));
        var ofB = Devices.Where(d => d.District == "b" && d.Kind == DeviceKind.WaterPressure).Select(d => original.Number(d.Id)).ToArray();
        var rest = Devices.Select(d => original.Number(d.Id)).Except(ofB).ToArray();
        var restored = Kit(reversed: true);

        restored.Engine.RestoreSnapshot(Snapshot(original, ofB));
        restored.Engine.RestoreSnapshot(Snapshot(original, rest));
        restored.ContinueSequencesOf(original);
        var before = original.Events.Count;
        Run(original, Scenario.AsSpan(split));
        Run(restored, Scenario.AsSpan(split));

        Assert.That(restored.Events.Select(Describe), Is.EqualTo(original.Events.Skip(before).Select(Describe)));
    }

    // Every field an operator sees (AlertEvent's own equality compares the device list by reference). The device list
    // is compared as a set: it follows the registry's numbering, which the restoring engine has the other way round.
    private static string Describe(AlertEvent e) =>
        $"{e.Type} {e.Condition} {e.Source} {e.Id} {e.Severity} raised {e.RaisedAtMs - T0} at {e.EventTimeMs - T0} count {e.Count} " +
        $"value {e.Value:R} peak {e.PeakValue:R} devices [{string.Join(',', (e.Devices ?? []).Order(StringComparer.Ordinal))}] {e.Message}";

    private static WaterTestKit Kit(bool reversed = false)
    {
        var kit = new WaterTestKit();
        foreach (var (id, kind, district, parameters) in reversed ? Enumerable.Reverse(Devices) : Devices)
        {
            kit.Add(id, kind, district, parameters);
        }

        return kit;
    }

    private static byte[] Snapshot(WaterTestKit kit, int[]? numbers = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        kit.Engine.WriteSnapshot(numbers ?? Devices.Select(d => kit.Number(d.Id)).ToArray(), writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void Run(WaterTestKit kit, ReadOnlySpan<Reading> readings)
    {
        foreach (var r in readings)
        {
            if (r.Id is null)
            {
                kit.Engine.AdvanceTo(T0 + r.T);
            }
            else
            {
                kit.Feed(r.Id, r.T, r.Metric, r.Value);
            }
        }
    }

    private static Reading[] Build()
    {
        var a = new WaterSeries(3);
        var b = new WaterSeries(7);
        var c = new WaterSeries(11);
        var readings = new List<Reading>();
        for (var t = 0L; t < End; t += Step)
        {
            // District A: 70 m3/h lost through a break for 6 h from day 15, 10:00 local; nearby sensors drop most.
            var bursting = t >= Burst && t < Burst + (6 * Hour);
            readings.Add(new("wf-a1", t, Metric.WaterFlow, a.Flow(t) + (bursting ? 70 : 0)));
            readings.Add(new("wf-a2", t, Metric.WaterFlow, 0.2 * a.Flow(t)));
            for (var i = 0; i < HeadsA.Length; i++)
            {
                readings.Add(new($"wp-a{i + 1}", t, Metric.Pressure, a.Pressure(t, HeadsA[i]) - (bursting ? (i < 2 ? 0.02 : 0.006) : 0)));
            }

            // District B: b1 low alone for 40 min (a device alert), then b1 and b2 low together (the district alert),
            // b3 joining for an hour in between.
            for (var i = 1; i <= 3; i++)
            {
                var low = i switch
                {
                    1 => Within(t, 3 * Hour, (3 * Hour) + (40 * Minute)) || Within(t, 4 * Hour, 7 * Hour),
                    2 => Within(t, 4 * Hour, 7 * Hour),
                    _ => Within(t, 5 * Hour, 6 * Hour),
                };
                var pressure = b.Pressure(t, 0.40);
                readings.Add(new($"wp-b{i}", t, Metric.Pressure, low ? 0.11 + (0.1 * (pressure - 0.3)) : pressure));
            }

            // District C: 80 m3/h of new leakage from day 13 to day 16, 12:00 UTC: three flagged nights (the second
            // raises, before the cut), then a normal one.
            readings.Add(new("wf-c1", t, Metric.WaterFlow, c.Flow(t) + (t >= (13 * Day) + (12 * Hour) && t < (16 * Day) + (12 * Hour) ? 80 : 0)));

            // The reservoir rises through blue, yellow, orange and red on day 15 and falls back; 15-min reports.
            if (t % (15 * Minute) == 0)
            {
                readings.Add(new("rl-a1", t, Metric.Level, ReservoirLevel(t)));

                // 5 mm per 15 min from day 15, 02:00 to 05:00 UTC (60 mm), otherwise dry.
                readings.Add(new("rg-b1", t, Metric.Rain, Within(t, 2 * Hour, 5 * Hour) ? 5 : 0));
            }

            readings.Add(new(null, t, default, 0));
        }

        return [.. readings];
    }

    private static bool Within(long t, long from, long to) => t >= (15 * Day) + from && t < (15 * Day) + to;

    private static double ReservoirLevel(long t)
    {
        // 8 m, up 1 m per hour from day 15, 01:00 to 13.5 m at 06:30, held to 08:00, down 1 m per hour to 8 m.
        var hours = (t - (15 * Day) - Hour) / (double)Hour;
        var level = hours < 0 ? 8 : hours < 5.5 ? 8 + hours : hours < 7 ? 13.5 : 13.5 - (hours - 7);
        return Math.Max(8, level);
    }
}
