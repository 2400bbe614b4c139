using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Detection.Internal;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class AlertLatchTests
{
    private const long T0 = 1_750_000_000_000;
    private static readonly ChatterRule Chatter = new(3, 60_000, 600_000);
    private static readonly LatchTiming Immediate = new(0, 0);

    private static LatchSteps Abnormal(ref AlertLatch latch, long seconds, LatchTiming timing, AlertSeverity severity = AlertSeverity.High, double value = 1) =>
        latch.Step(abnormal: true, normal: false, severity, value, T0 + (seconds * 1000), timing, Chatter);

    private static LatchSteps Normal(ref AlertLatch latch, long seconds, LatchTiming timing) =>
        latch.Step(abnormal: false, normal: true, AlertSeverity.High, 0, T0 + (seconds * 1000), timing, Chatter);

    private static LatchSteps Deadband(ref AlertLatch latch, long seconds, LatchTiming timing) =>
        latch.Step(abnormal: false, normal: false, AlertSeverity.High, 0, T0 + (seconds * 1000), timing, Chatter);

    [Test]
    public void Step_OnDelay_RaisesOnlyWhenHeldForIt()
    {
        var latch = default(AlertLatch);
        var timing = new LatchTiming(10_000, 0);

        Assert.That(Abnormal(ref latch, 0, timing), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 9, timing), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 10, timing), Is.EqualTo(LatchSteps.Raised));
        Assert.That(latch.RaisedAtMs, Is.EqualTo(T0 + 10_000));
        Assert.That(latch.Count, Is.EqualTo(3));
        Assert.That(latch.IsActive, Is.True);
    }

    [Test]
    public void Step_NotAbnormalDuringOnDelay_AbandonsIt()
    {
        var latch = default(AlertLatch);
        var timing = new LatchTiming(10_000, 0);

        Abnormal(ref latch, 0, timing);
        Deadband(ref latch, 5, timing);
        Assert.That(Abnormal(ref latch, 11, timing), Is.EqualTo(LatchSteps.None), "on-delay restarted at 11 s");
        Assert.That(Abnormal(ref latch, 21, timing), Is.EqualTo(LatchSteps.Raised));
    }

    [Test]
    public void Step_OffDelay_ClearsOnlyAfterNormalForItAndDeadbandRestartsIt()
    {
        var latch = default(AlertLatch);
        var timing = new LatchTiming(0, 30_000);
        Abnormal(ref latch, 0, timing);

        Assert.That(Normal(ref latch, 10, timing), Is.EqualTo(LatchSteps.None));
        Assert.That(Deadband(ref latch, 20, timing), Is.EqualTo(LatchSteps.None));
        Assert.That(Normal(ref latch, 45, timing), Is.EqualTo(LatchSteps.None), "off-delay restarted at 45 s");
        Assert.That(Normal(ref latch, 74, timing), Is.EqualTo(LatchSteps.None));
        Assert.That(Normal(ref latch, 75, timing), Is.EqualTo(LatchSteps.Cleared));
        Assert.That(latch.Phase, Is.EqualTo(LatchPhase.Normal));
    }

    [Test]
    public void Step_RepeatsWhileActive_CountAndPeakWithoutSteps()
    {
        var latch = default(AlertLatch);
        Abnormal(ref latch, 0, Immediate, value: 5);

        Assert.That(Abnormal(ref latch, 1, Immediate, value: 9), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 2, Immediate, value: 7), Is.EqualTo(LatchSteps.None));
        Assert.That(latch.Count, Is.EqualTo(3));
        Assert.That(latch.Peak, Is.EqualTo(9));
    }

    [Test]
    public void Step_SeverityRisesOnceAndNeverFallsWhileActive()
    {
        var latch = default(AlertLatch);
        Abnormal(ref latch, 0, Immediate, AlertSeverity.High);

        Assert.That(Abnormal(ref latch, 1, Immediate, AlertSeverity.Critical), Is.EqualTo(LatchSteps.Updated));
        Assert.That(Abnormal(ref latch, 2, Immediate, AlertSeverity.High), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 3, Immediate, AlertSeverity.Critical), Is.EqualTo(LatchSteps.None));
        Assert.That(latch.Severity, Is.EqualTo(AlertSeverity.Critical));
    }

    [Test]
    public void Step_ThirdRaiseWithinAMinute_ChatteringInsteadAndLaterRaisesSuppressed()
    {
        var latch = default(AlertLatch);

        Assert.That(Abnormal(ref latch, 0, Immediate), Is.EqualTo(LatchSteps.Raised));
        Assert.That(Normal(ref latch, 10, Immediate), Is.EqualTo(LatchSteps.Cleared));
        Assert.That(Abnormal(ref latch, 20, Immediate), Is.EqualTo(LatchSteps.Raised));
        Assert.That(Normal(ref latch, 30, Immediate), Is.EqualTo(LatchSteps.Cleared));
        Assert.That(Abnormal(ref latch, 40, Immediate), Is.EqualTo(LatchSteps.ChatterRaised));
        Assert.That(latch.IsActive, Is.False, "the chattering raise is not an active alert");

        // Inside the hold-off (10 min from 40 s): raises and clears are tracked silently.
        Assert.That(Normal(ref latch, 50, Immediate), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 60, Immediate), Is.EqualTo(LatchSteps.None));
        Assert.That(Abnormal(ref latch, 639, Immediate), Is.EqualTo(LatchSteps.None));

        // Hold-off over with the condition still true: the chattering alert clears and the condition raises again.
        Assert.That(Abnormal(ref latch, 640, Immediate), Is.EqualTo(LatchSteps.ChatterCleared | LatchSteps.Raised));
        Assert.That(latch.RaisedAtMs, Is.EqualTo(T0 + 640_000));
    }

    [Test]
    public void Step_RaisesSpreadOverMoreThanAMinute_NoChattering()
    {
        var latch = default(AlertLatch);
        for (var i = 0; i < 10; i++)
        {
            // A raise every 31 s: only two raises ever fall within one minute.
            Assert.That(Abnormal(ref latch, i * 31, Immediate), Is.EqualTo(LatchSteps.Raised), $"raise {i}");
            Assert.That(Normal(ref latch, (i * 31) + 1, Immediate), Is.EqualTo(LatchSteps.Cleared), $"clear {i}");
        }
    }

    [Test]
    public void Advance_PendingPastOnDelay_RaisesAtOnDelayEnd()
    {
        var latch = default(AlertLatch);
        var timing = new LatchTiming(600_000, 0);
        Abnormal(ref latch, 0, timing);

        Assert.That(latch.Advance(T0 + 599_999, timing, Chatter), Is.EqualTo(LatchSteps.None));
        Assert.That(latch.Advance(T0 + 900_000, timing, Chatter), Is.EqualTo(LatchSteps.Raised));
        Assert.That(latch.RaisedAtMs, Is.EqualTo(T0 + 600_000), "raise time does not depend on when the watermark moved");
        Assert.That(latch.Advance(T0 + 999_000, timing, Chatter), Is.EqualTo(LatchSteps.None));
    }

    [Test]
    public void ForceRaiseAndClear_RaiseOnceCountRepeats()
    {
        var latch = default(AlertLatch);

        Assert.That(latch.ForceRaise(AlertSeverity.Medium, 1, T0, Chatter), Is.EqualTo(LatchSteps.Raised));
        Assert.That(latch.ForceRaise(AlertSeverity.Medium, 1, T0 + 1, Chatter), Is.EqualTo(LatchSteps.None));
        Assert.That(latch.Count, Is.EqualTo(2));
        Assert.That(latch.ForceClear(T0 + 2), Is.EqualTo(LatchSteps.Cleared));
        Assert.That(latch.ForceClear(T0 + 3), Is.EqualTo(LatchSteps.None));
    }

    [Test]
    public void Publish_RaiseUpdateClear_OneIdDeterministicFromSourceConditionAndRaiseTime()
    {
        var sink = new RecordingSink();
        var track = new AlertTrack(AlertCondition.LowBattery, Chatter, 4);
        void Step(bool abnormal, AlertSeverity severity, double value, long seconds)
        {
            var steps = track.Step(2, abnormal, !abnormal, severity, value, T0 + (seconds * 1000), Immediate);
            track.Publish(sink, steps, 2, "gm-1", "d-1", "gas-meter", value, T0 + (seconds * 1000), "m");
        }

        Step(true, AlertSeverity.Medium, 3.0, 0);
        Assert.That(track.ActiveCount, Is.EqualTo(1));
        Step(true, AlertSeverity.High, 2.9, 1);
        Step(false, AlertSeverity.Medium, 3.6, 2);

        Assert.That(sink.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Updated, AlertEventType.Cleared }));
        Assert.That(sink.Events.Select(e => e.Id).Distinct().Single(), Is.EqualTo(AlertId.Create("gm-1", AlertCondition.LowBattery, T0)));
        Assert.That(sink.Events[2].ClearedAtMs, Is.EqualTo(T0 + 2000));
        Assert.That(sink.Events[2].Count, Is.EqualTo(2));
        Assert.That(sink.Events[2].Severity, Is.EqualTo(AlertSeverity.High));
        Assert.That(sink.Events[2].Condition, Is.EqualTo("device.low-battery"));
        Assert.That(track.ActiveCount, Is.Zero);
        Assert.That(track.TryGetActive(2, out _, out _), Is.False);
    }

    [Test]
    public void Publish_Chattering_OneChatteringAlertRaisedThenClearedWithItsOwnId()
    {
        var sink = new RecordingSink();
        var track = new AlertTrack(AlertCondition.MeterTamper, Chatter, 1);
        void Step(bool abnormal, long seconds)
        {
            var steps = track.Step(0, abnormal, !abnormal, AlertSeverity.High, 1, T0 + (seconds * 1000), Immediate);
            track.Publish(sink, steps, 0, "gm-1", "d-1", "gas-meter", 1, T0 + (seconds * 1000), "m");
        }

        for (var s = 0; s < 120; s += 5)
        {
            Step(s % 10 == 0, s);   // flips every 5 s for two minutes
        }

        Step(false, 700);

        var chatter = sink.Events.Where(e => e.Condition == "alerts.chattering").ToList();
        Assert.That(sink.Events.Count(e => e.Condition == "gas.meter-tamper"), Is.EqualTo(4), "two raises and two clears");
        Assert.That(chatter.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(chatter[0].Id, Is.EqualTo(chatter[1].Id));
        Assert.That(chatter[0].Id, Is.EqualTo(AlertId.Create("gm-1/gas.meter-tamper", AlertCondition.Chattering, T0 + 20_000)));
        Assert.That(chatter[0].Source, Is.EqualTo("gm-1"));
        Assert.That(track.ActiveCount, Is.Zero);
    }
}
