using NUnit.Framework;
using Sensing.Core.Alerts;

namespace Sensing.Tests.Detection;

/// <summary>
/// One partition's records are not in event-time order: after a broker or gateway outage, the readings the devices
/// held back arrive behind those of devices that never stopped, so the district's time has passed deadlines that
/// the late readings then move back. Whatever order they come in, a source (device or district) has one offline alert
/// at a time: each one raised after the one before it cleared, under an id of its own, and no step after its clear.
/// </summary>
public sealed partial class DistrictOutageTests
{
    [Test]
    public void AdvanceStream_HeldBackReadingsAfterABrokerOutage_SilentDeviceHasOneAlertAtATime()
    {
        // As a fault run's partition read record by record (TelemetryProcessor.Handle): n10 has been silent since 9 s
        // (its alert raised at 99 s); the broker is down from 100 s to 200 s. The first records after it are the south's,
        // at 200 s, whose time passes the north's deadlines (180..188 s): a district alert at 183 s folds n10's. Then come
        // the north's readings held back since 120 s; the district alert clears (stamped 183 s), and n10, still silent,
        // gets an alert of its own again.
        var fleet = new Fleet();
        foreach (var id in fleet.NorthDevices.Concat(fleet.SouthDevices))
        {
            Assert.That(fleet.Registry.TryFind(System.Text.Encoding.ASCII.GetBytes(id), out var number), Is.True);
            fleet.Engine.AssignStream(number, 0);
        }

        var streamSeconds = 0.0;
        void Read(string id, double seconds)
        {
            fleet.Hear(id, seconds);
            streamSeconds = Math.Max(streamSeconds, seconds);
            fleet.Engine.AdvanceStream(0, T0 + (long)(streamSeconds * 1000));
        }

        var silent = fleet.NorthDevices[9];
        for (var i = 0; i < 10; i++)
        {
            Read(fleet.NorthDevices[i], i);
        }

        foreach (var round in new[] { 0, 30, 60, 90 })
        {
            for (var i = 0; i < 9 && round > 0; i++)
            {
                Read(fleet.NorthDevices[i], round + i);
            }

            fleet.SouthDevices.ToList().ForEach(id => Read(id, round + 9.5));
        }

        fleet.SouthDevices.ToList().ForEach(id => Read(id, 200));
        for (var i = 0; i < 9; i++)
        {
            Read(fleet.NorthDevices[i], 120 + i);
        }

        var raises = fleet.Events.Where(e => e.Source == silent && e.Type == AlertEventType.Raised).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(fleet.Events.Count(e => e.Source == North && e.Type == AlertEventType.Cleared), Is.EqualTo(1));
            Assert.That(raises.Select(e => e.RaisedAtMs), Is.EqualTo(new[] { T0 + 99_000, T0 + 183_000 }),
                "raised again as the district alert clears (183 s), not at the held-back reading's time (127 s) inside its first alert");
            Assert.That(OneAlertAtATime(fleet.Events), Is.Empty);
        });
    }

    [Test]
    public void AdvanceTo_WatermarkAheadOfTheDistrictsStream_OutageUpdatedByItsStreamsTimeOnly()
    {
        // A processor replaying a dead one's partition has its watermark from the partitions it was already reading,
        // ahead of the replayed one: an update published by it would come before readings of the replayed partition
        // that clear the outage, after the dead processor had published that clear (a step after the clear).
        var fleet = new Fleet();
        foreach (var id in fleet.NorthDevices.Concat(fleet.SouthDevices))
        {
            Assert.That(fleet.Registry.TryFind(System.Text.Encoding.ASCII.GetBytes(id), out var number), Is.True);
            fleet.Engine.AssignStream(number, 0);
        }

        for (var i = 0; i < 10; i++)
        {
            fleet.Hear(fleet.NorthDevices[i], i);
        }

        // Raised at 94 s, the other five join by 99 s: one update due at 154 s.
        fleet.Engine.AdvanceStream(0, T0 + 100_000);
        fleet.AdvanceTo(200);
        var early = fleet.Events.Count(e => e.Source == North && e.Type == AlertEventType.Updated);
        fleet.Engine.AdvanceStream(0, T0 + 154_000);

        var updates = fleet.Events.Where(e => e.Source == North && e.Type == AlertEventType.Updated).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(early, Is.Zero, "the watermark of other partitions publishes no update of this district");
            Assert.That(updates.Select(e => e.EventTimeMs), Is.EqualTo(new[] { T0 + 154_000 }));
        });
    }

    [Test]
    public void Process_OutageClearedByALateReading_StillSilentDevicesRaisedAtTheDistrictAlertsClear()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);

        // n01..n04 raise device alerts at 90..93 s; n05 makes the outage at 94 s and they are folded into it.
        fleet.AdvanceTo(94.5);
        var folded = fleet.Events.Single(e => e.Source == fleet.NorthDevices[3] && e.Type == AlertEventType.Raised);

        // Three come back with readings held back since 30 s: two members are left, the outage clears.
        foreach (var id in fleet.NorthDevices.Take(3))
        {
            fleet.Hear(id, 30);
        }

        var clear = fleet.Events.Single(e => e.Source == North && e.Type == AlertEventType.Cleared);
        var again = fleet.Events.Where(e => e.Type == AlertEventType.Raised && e.Id != folded.Id && fleet.NorthDevices.Skip(3).Take(2).Contains(e.Source)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(clear.ClearedAtMs, Is.EqualTo(T0 + 94_000), "a step never precedes the raise");
            Assert.That(again.Select(e => e.Source), Is.EquivalentTo(fleet.NorthDevices.Skip(3).Take(2)));
            Assert.That(again.Select(e => e.RaisedAtMs), Has.All.EqualTo(clear.ClearedAtMs),
                "the still silent get their own alerts when the district alert clears, not at the late reading's time (30 s), before the fold");
            Assert.That(OneAlertAtATime(fleet.Events), Is.Empty);
        });
    }

    [Test]
    public void AdvanceTo_DeviceBackLateAfterItsAlertWasFolded_NextAlertRaisedAfterTheFold()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);
        fleet.AdvanceTo(94.5);

        // n01's alert (raised 90 s) was cleared at 94 s by the fold. Its reading of 1 s arrives now: its next deadline,
        // 91 s, has passed, but its alert covered the district's time up to the fold.
        fleet.Hear(fleet.NorthDevices[0], 1);
        foreach (var id in fleet.NorthDevices.Skip(1).Take(4))
        {
            fleet.Hear(id, 30);
        }

        fleet.AdvanceTo(95);

        var raises = fleet.Events.Where(e => e.Source == fleet.NorthDevices[0] && e.Type == AlertEventType.Raised).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(raises.Select(e => e.RaisedAtMs), Is.EqualTo(new[] { T0 + 90_000, T0 + 94_000 }));
            Assert.That(raises.Select(e => e.Id).Distinct().Count(), Is.EqualTo(2));
            Assert.That(OneAlertAtATime(fleet.Events), Is.Empty);
        });
    }

    [Test]
    public void AdvanceTo_DistrictSilentAgainBehindItsClearedOutage_SecondDistrictAlertRaisedAfterTheFirstCleared()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);
        fleet.AdvanceTo(94.5);

        // n01..n03 come back with readings of 0.5..2.5 s (the outage, raised at 94 s, clears), then go silent again with
        // deadlines of 90.5..92.5 s, before that clear: with the two still silent they are five again.
        for (var i = 0; i < 3; i++)
        {
            fleet.Hear(fleet.NorthDevices[i], i + 0.5);
        }

        fleet.AdvanceTo(95);

        var outages = fleet.Events.Where(e => e.Source == North).ToList();
        var first = outages.Where(e => e.Id == outages[0].Id).ToList();
        var second = outages.Where(e => e.Id != outages[0].Id).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
            Assert.That(second.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }));
            Assert.That(second[0].RaisedAtMs, Is.GreaterThan(first[1].ClearedAtMs!.Value), "raised after the first cleared, under another id");
            Assert.That(OneAlertAtATime(fleet.Events), Is.Empty);
        });
    }

    [Test]
    public void Process_OutageClearedByAReadingOlderThanItsLastUpdate_ClearNotBeforeTheUpdate()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);

        // Raised at 94 s; the other five join and are published in one update at 154 s.
        fleet.AdvanceTo(160);
        var update = fleet.Events.Last(e => e.Source == North);
        Assert.That((update.Type, update.EventTimeMs), Is.EqualTo((AlertEventType.Updated, T0 + 154_000)));

        // Readings held back since 100 s clear it: a clear stamped 100 s would come before the update, and a consumer
        // keeping an alert's latest step by event time would keep it active.
        foreach (var id in fleet.NorthDevices.Take(8))
        {
            fleet.Hear(id, 100);
        }

        var clear = fleet.Events.Single(e => e.Source == North && e.Type == AlertEventType.Cleared);
        Assert.Multiple(() =>
        {
            Assert.That(clear.EventTimeMs, Is.EqualTo(T0 + 154_000));
            Assert.That(clear.ClearedAtMs, Is.EqualTo(T0 + 154_000));
            Assert.That(OneAlertAtATime(fleet.Events), Is.Empty);
        });
    }

    [Test]
    public void RestoreSnapshot_AfterAnOutageCleared_NextOutageTakesTheSameIdAsTheOriginal()
    {
        var original = new Fleet();
        original.HearAll(0);
        original.AdvanceTo(94.5);
        for (var i = 0; i < 3; i++)
        {
            original.Hear(original.NorthDevices[i], i + 0.5);
        }

        var restored = new Fleet();
        restored.RestoreFrom(original);
        var before = original.Events.Count;
        foreach (var fleet in new[] { original, restored })
        {
            fleet.AdvanceTo(95);
        }

        Assert.Multiple(() =>
        {
            Assert.That(restored.Events.Select(e => (e.Id, e.Type, e.Source, e.EventTimeMs)),
                Is.EqualTo(original.Events.Skip(before).Select(e => (e.Id, e.Type, e.Source, e.EventTimeMs))));
            Assert.That(restored.Events.Single(e => e.Source == North && e.Type == AlertEventType.Raised).RaisedAtMs, Is.GreaterThan(T0 + 94_000),
                "after the first district alert's clear, which the restored engine did not see");
        });
    }

    [Test]
    public void RestoreSnapshot_OutageClearedElsewhere_DeviceSilentAfterwardsIsNotPutInTheStaleOutage()
    {
        // This engine saw the outage raised, then the partition moved away; the engine that took it over cleared the
        // outage (every device heard again) and checkpointed; the partition comes back here with that checkpoint.
        var here = new Fleet();
        here.HearAll(0);
        here.AdvanceTo(200);
        var elsewhere = new Fleet();
        elsewhere.HearAll(0);
        elsewhere.AdvanceTo(200);
        foreach (var id in elsewhere.NorthDevices.Concat(elsewhere.SouthDevices))
        {
            elsewhere.Hear(id, 300);
        }

        here.RestoreFrom(elsewhere);
        var before = here.Events.Count;

        // One device goes silent again: a device alert of its own, not a join of the outage cleared elsewhere.
        foreach (var id in here.NorthDevices.Skip(1).Concat(here.SouthDevices))
        {
            here.Hear(id, 400);
        }

        here.AdvanceTo(400);
        var after = here.Events.Skip(before).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(here.Engine.Health.ActiveOutages, Is.Zero);
            Assert.That(after.Select(e => (e.Source, e.Type)), Is.EqualTo(new[] { (here.NorthDevices[0], AlertEventType.Raised) }));
        });
    }

    /// <summary>
    /// Per source and condition, in the order published: each raise at or after the clear of the alert before it and
    /// under a new id; per id, steps in event-time order and none after its clear. Returns what breaks that.
    /// </summary>
    private static List<string> OneAlertAtATime(IEnumerable<AlertEvent> events)
    {
        var broken = new List<string>();
        var last = new Dictionary<(string, string), AlertEvent>();
        var steps = new Dictionary<string, AlertEvent>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.Condition == AlertCondition.DeviceOffline.Name()))
        {
            if (steps.TryGetValue(e.Id, out var previous))
            {
                if (previous.Type == AlertEventType.Cleared || e.Type == AlertEventType.Raised)
                {
                    broken.Add($"{e.Source} {e.Id}: {e.Type} after {previous.Type}");
                }

                if (e.EventTimeMs < previous.EventTimeMs)
                {
                    broken.Add($"{e.Source} {e.Id}: {e.Type} at {e.EventTimeMs - T0} ms before {previous.Type} at {previous.EventTimeMs - T0} ms");
                }
            }
            else if (e.Type == AlertEventType.Raised && last.TryGetValue((e.Condition, e.Source), out var before)
                && (before.Type != AlertEventType.Cleared || e.RaisedAtMs < before.ClearedAtMs))
            {
                broken.Add($"{e.Source} {e.Id}: raised at {e.RaisedAtMs - T0} ms while {before.Id} was active (cleared at {before.ClearedAtMs - T0} ms)");
            }

            steps[e.Id] = e;
            last[(e.Condition, e.Source)] = e;
        }

        return broken;
    }
}
