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
