using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Rules;
using static Sensing.Tests.Detection.Fire.FireTestKit;

namespace Sensing.Tests.Detection.Fire;

[TestFixture]
public sealed class SmokeAlarmDetectionTests
{
    [Test]
    public void Alarm_StillOnAtEndOfVerificationWindow_RaisesCriticalAtWindowEnd()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        kit.Advance(59 * Second);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarm), Is.Empty, "inside the verification window");

        kit.Advance(75 * Second);
        var raised = kit.Raised(AlertCondition.SmokeAlarm).Single();
        Assert.That(raised.Source, Is.EqualTo("sa-1"));
        Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Critical));
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (60 * Second)), "raised when the window ran out, not when the tick came");
        Assert.That(raised.Message, Does.Contain("tower-7"));

        kit.Smoke("sa-1", 10 * Minute, 0);
        Assert.That(kit.Sink.Events.Last().Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Alarm_ClearedWithinVerificationWindow_IsNuisanceAndRaisesNothing()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        kit.Smoke("sa-1", 40 * Second, SmokeAlarmBits.Silenced);
        kit.Advance(30 * Minute);

        Assert.That(kit.Sink.Events, Is.Empty);
        Assert.That(kit.Engine.Fire.NuisanceAlarms, Is.EqualTo(1));
    }

    [Test]
    public void Alarm_SecondAlarmInSameBuilding_RaisesBothAtOnce()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        kit.Smoke("sa-2", 20 * Second, SmokeAlarmBits.Alarm);

        var raised = kit.Raised(AlertCondition.SmokeAlarm).ToList();
        Assert.That(raised.Select(e => e.Source), Is.EquivalentTo(new[] { "sa-1", "sa-2" }));
        Assert.That(raised.Select(e => e.RaisedAtMs), Is.All.EqualTo(T0 + (20 * Second)), "confirmed before the window ran out");
        Assert.That(raised, Has.All.Matches<AlertEvent>(e => e.Severity == AlertSeverity.Critical && e.Message.Contains("confirmed")));
    }

    [Test]
    public void Alarm_InAnotherBuilding_DoesNotConfirm()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        kit.Smoke("sa-far", 20 * Second, SmokeAlarmBits.Alarm);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarm), Is.Empty);
    }

    [Test]
    public void Alarm_MethaneAlarmInSameBuilding_ConfirmsAtOnce()
    {
        var kit = new FireTestKit();
        kit.Feed("md-1", 0, (Metric.MethaneLel, 30));
        kit.Smoke("sa-1", 10 * Second, SmokeAlarmBits.Alarm);

        var raised = kit.Raised(AlertCondition.SmokeAlarm).Single();
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (10 * Second)));
        Assert.That(raised.Message, Does.Contain("confirmed by"));
    }

    [Test]
    public void Alarm_CircuitTemperatureAlarmArrivesWhileVerifying_ConfirmsAtOnce()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        kit.Feed("ef-1", 15 * Second, (Metric.Temperature, 85));

        var raised = kit.Raised(AlertCondition.SmokeAlarm).Single();
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (15 * Second)));
        Assert.That(raised.Message, Does.Contain("ef-1"));
    }

    [Test]
    public void Alarm_TestButton_RaisesNothing()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm | SmokeAlarmBits.Test);
        kit.Smoke("sa-1", 5 * Minute, 0);
        kit.Advance(10 * Minute);

        Assert.That(kit.Sink.Events, Is.Empty);
        Assert.That(kit.Engine.Fire.TestAlarms, Is.EqualTo(1));
    }

    [Test]
    public void Fault_RemovedFromBase_RaisesFaultAndClearsWhenBack()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Removed);
        var fault = kit.Raised(AlertCondition.SmokeAlarmFault).Single();
        Assert.That(fault.Message, Does.Contain("removed"));

        kit.Smoke("sa-1", Hour, 0);
        Assert.That(kit.Sink.Events.Last().Type, Is.EqualTo(AlertEventType.Cleared));
        Assert.That(kit.Raised(AlertCondition.SmokeAlarm), Is.Empty);
    }

    [Test]
    public void Fault_SilentPastTwoHeartbeats_RaisesFaultAtTheMomentItWasDue()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, 0);
        kit.Advance(7 * Hour);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarmFault), Is.Empty);

        kit.Advance(9 * Hour);
        var fault = kit.Raised(AlertCondition.SmokeAlarmFault).Single();
        Assert.That(fault.RaisedAtMs, Is.EqualTo(T0 + (8 * Hour)), "2 x the 4 h heartbeat");
        Assert.That(fault.Message, Does.Contain("silent"));

        kit.Smoke("sa-1", 10 * Hour, 0);
        Assert.That(kit.Sink.Events.Last().Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Fault_AlarmOnAStream_JudgedByItsStreamsTimeNotByTheWatermark()
    {
        // The alarm's readings arrive on stream 2. The processor's watermark (other partitions read far ahead) passes
        // its 8 h deadline while its own partition is still behind, with a reading at 7.5 h not read yet.
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, 0);
        kit.Engine.AssignStream(kit.Number("sa-1"), 2);
        kit.Advance(9 * Hour);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarmFault), Is.Empty, "another stream's time says nothing of this alarm");

        kit.Smoke("sa-1", 7 * Hour + (30 * Minute), 0);
        kit.AdvanceStream(2, 7 * Hour + (30 * Minute));
        kit.AdvanceStream(2, 9 * Hour);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarmFault), Is.Empty, "heard at 7.5 h: due at 15.5 h");

        kit.AdvanceStream(2, 16 * Hour);
        Assert.That(kit.Raised(AlertCondition.SmokeAlarmFault).Single().RaisedAtMs, Is.EqualTo(T0 + (15 * Hour) + (30 * Minute)));
    }

    [Test]
    public void Fault_StreamReadAgainFromASnapshotInAnotherEngine_RaisesTheSameId()
    {
        // A processor's checkpoint at 3 h of the alarm's stream; the stream's records after it read once by the engine
        // that wrote it, and again by another one restored from it, whose watermark (other partitions read ahead) ticks
        // past the 14 h deadline before the alarm's held-back reading of 13 h is read.
        static List<string> Run(FireTestKit kit, bool ticks)
        {
            var meter = kit.Number("md-1");
            kit.Smoke("sa-1", 6 * Hour, 0);
            kit.AdvanceStream(2, 6 * Hour);
            if (ticks)
            {
                kit.Advance(20 * Hour);
            }

            kit.Smoke("sa-1", 13 * Hour, 0);
            kit.AdvanceStream(2, 13 * Hour);
            foreach (var hour in new[] { 15, 22 })
            {
                kit.Feed("md-1", hour * Hour, (Metric.MethaneLel, 0));
                kit.Engine.AssignStream(meter, 2);
                kit.AdvanceStream(2, hour * Hour);
            }

            return kit.Raised(AlertCondition.SmokeAlarmFault).Select(e => e.Id).ToList();
        }

        var first = new FireTestKit();
        first.Smoke("sa-1", 0, 0);
        first.Engine.AssignStream(first.Number("sa-1"), 2);
        first.AdvanceStream(2, 3 * Hour);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        first.Engine.WriteSnapshot([first.Number("sa-1")], buffer);

        var other = new FireTestKit();
        Assert.That(other.Engine.RestoreSnapshot(buffer.WrittenSpan), Is.EqualTo(1));
        other.Engine.AssignStream(other.Number("sa-1"), 2);

        var expected = new[] { AlertId.Create("sa-1", AlertCondition.SmokeAlarmFault, T0 + (21 * Hour)) };
        Assert.That(Run(first, ticks: false), Is.EqualTo(expected), "last heard at 13 h: due at 21 h");
        Assert.That(Run(other, ticks: true), Is.EqualTo(expected), "the same id, wherever the watermark stood");
    }

    [Test]
    public void Rules_DeviceEntryWithoutVerification_RaisesAtOnceOnlyForThatDevice()
    {
        var rules = RulesFile.Parse("""
            devices:
              sa-far:
                fire:
                  smokeAlarm:
                    verificationWindow: 0
            """, "rules.yaml").Detection;
        var kit = new FireTestKit(rules);
        kit.Smoke("sa-far", 0, SmokeAlarmBits.Alarm);
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);

        Assert.That(kit.Raised(AlertCondition.SmokeAlarm).Select(e => e.Source), Is.EqualTo(new[] { "sa-far" }));
    }

    [Test]
    public void Snapshot_PendingAlarmRestoredInAnotherEngine_RaisesWhenWindowRunsOut()
    {
        var kit = new FireTestKit();
        kit.Smoke("sa-1", 0, SmokeAlarmBits.Alarm);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        kit.Engine.WriteSnapshot([0, 1, 2], buffer);

        var other = new FireTestKit();
        Assert.That(other.Engine.RestoreSnapshot(buffer.WrittenSpan), Is.EqualTo(3));
        other.Advance(2 * Minute);
        Assert.That(other.Raised(AlertCondition.SmokeAlarm).Single().RaisedAtMs, Is.EqualTo(T0 + Minute));
    }
}
