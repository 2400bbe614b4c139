using System.Buffers;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using static Sensing.Tests.Detection.FleetTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionEngineSnapshotTests
{
    // One step of a scenario over the mixed fleet: a reading (metrics) or, with no device, an event-time advance.
    private readonly record struct Step(string? Device, double Seconds, MetricValue[] Metrics);

    // Methane raised, escalated and cleared; a meter rupture raised (valve-close command) and cleared; a charger
    // safety error and an out-of-service that comes due through AdvanceTo; battery low on the meter.
    private static readonly Step[] Scenario =
    [
        new(Detector, 0, [new(Metric.MethaneLel, 5)]),
        new(Meter, 0, [Flow(0.5), Volume(10), Battery(3.6)]),
        new(Charger, 0, [Status(ChargerStatus.Available), Error(ChargerError.NoError)]),
        new(Detector, 30, [new(Metric.MethaneLel, 30)]),
        new(Meter, 60, [Flow(5.6), Volume(10.09)]),
        new(Detector, 60, [new(Metric.MethaneLel, 35)]),
        new(Charger, 60, [Error(ChargerError.GroundFailure)]),
        new(Detector, 90, [new(Metric.MethaneLel, 60)]),
        new(Meter, 120, [Flow(5.6), Volume(10.18), Battery(3.0)]),
        new(Charger, 120, [Status(ChargerStatus.Faulted)]),
        new(Detector, 120, [new(Metric.MethaneLel, 8)]),
        new(Meter, 180, [Flow(5.6), Volume(10.27)]),
        new(Detector, 150, [new(Metric.MethaneLel, 4)]),
        new(Meter, 240, [Flow(5.6), Volume(10.36), Battery(3.0)]),
        new(Detector, 180, [new(Metric.MethaneLel, 3)]),
        new(Meter, 300, [Flow(5.6), Volume(10.45)]),
        new(null, 300, []),
        new(Meter, 360, [Flow(5.6), Volume(10.54)]),
        new(Detector, 400, [new(Metric.MethaneLel, 2)]),
        new(Meter, 420, [Flow(0), Volume(10.55), Valve(false)]),
        new(Charger, 500, [Error(ChargerError.NoError)]),
        new(null, 4000, []),
        new(Detector, 4000, [new(Metric.MethaneLel, 2)]),
        new(Charger, 4100, [Status(ChargerStatus.Available)]),
        new(Meter, 4200, [Flow(0), Volume(10.55), Battery(3.6)]),
    ];

    [TestCase(3)]
    [TestCase(8)]
    [TestCase(12)]
    [TestCase(17)]
    [TestCase(21)]
    public void RestoreSnapshot_MidScenario_RestoredEngineRaisesWhatTheOriginalRaises(int split)
    {
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, split));
        var restored = new FleetTestKit();
        var count = restored.Engine.RestoreSnapshot(Snapshot(original), []);
        restored.ContinueSequencesOf(original);
        var eventsBefore = original.Events.Count;
        var commandsBefore = original.Sink.Commands.Count;

        Run(original, Scenario.AsSpan(split));
        Run(restored, Scenario.AsSpan(split));

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(3));
            Assert.That(restored.Events, Is.EqualTo(original.Events.Skip(eventsBefore)));
            Assert.That(restored.Sink.Commands, Is.EqualTo(original.Sink.Commands.Skip(commandsBefore)));
        });
    }

    [Test]
    public void RestoreSnapshot_NoSnapshotRestored_SameReadingsGiveOtherEvents()
    {
        // The control for the round trip above: without the state, the rest of the scenario tells another story
        // (the active methane and rupture alerts are never cleared), so equal events there come from the snapshot.
        const int split = 12;
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, split));
        var fresh = new FleetTestKit();
        fresh.ContinueSequencesOf(original);
        var eventsBefore = original.Events.Count;

        Run(original, Scenario.AsSpan(split));
        Run(fresh, Scenario.AsSpan(split));

        Assert.That(fresh.Events, Is.Not.EqualTo(original.Events.Skip(eventsBefore)));
    }

    [Test]
    public void RestoreSnapshot_ActiveAlerts_CountsAndIdsRestored()
    {
        // After step 8 the methane alert is active at level 2 and the charger's safety error is active.
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, 8));
        var restored = new FleetTestKit();
        restored.Engine.RestoreSnapshot(Snapshot(original));

        Assert.Multiple(() =>
        {
            Assert.That(original.Engine.Methane.TryGetActive(original.Number(Detector), out var methaneId, out _), Is.True);
            Assert.That(restored.Engine.Methane.TryGetActive(restored.Number(Detector), out var restoredId, out _), Is.True);
            Assert.That(restoredId, Is.EqualTo(methaneId));
            Assert.That(restored.Engine.Methane.TryGetActive(restored.Number(Detector), out _, out var severity) ? severity : default, Is.EqualTo(AlertSeverity.Critical));
            Assert.That(restored.Engine.Methane.ActiveCount, Is.EqualTo(1));
            Assert.That(restored.Engine.Charger.ActiveCount(AlertCondition.ChargerSafety), Is.EqualTo(1));
        });
    }

    [Test]
    public void RestoreSnapshot_OtherVersion_ThrowsAndChangesNothing()
    {
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, 17));
        var snapshot = Snapshot(original);
        snapshot[0] = DetectionEngine.SnapshotVersion + 1;
        var target = new FleetTestKit();

        Assert.Throws<InvalidDataException>(() => target.Engine.RestoreSnapshot(snapshot));
        Assert.That(target.Engine.Methane.ActiveCount, Is.Zero);
    }

    [Test]
    public void RestoreSnapshot_Truncated_ThrowsAndChangesNothing()
    {
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, 17));
        var snapshot = Snapshot(original);
        var target = new FleetTestKit();

        Assert.Throws<InvalidDataException>(() => target.Engine.RestoreSnapshot(snapshot.AsSpan(0, snapshot.Length - 5)));
        Assert.That(target.Engine.Methane.ActiveCount, Is.Zero);
    }

    [Test]
    public void RestoreSnapshot_DeviceNotInRegistry_Skipped()
    {
        var original = new FleetTestKit();
        Run(original, Scenario.AsSpan(0, 17));
        var writer = new ArrayBufferWriter<byte>();
        original.Engine.WriteSnapshot([original.Number(Detector)], writer);
        var other = new DetectionEngine(DetectionOptions.Default, new Sensing.Core.Devices.DeviceRegistry(), new RecordingSink());

        Assert.That(other.RestoreSnapshot(writer.WrittenSpan), Is.Zero);
    }

    private static byte[] Snapshot(FleetTestKit kit)
    {
        var writer = new ArrayBufferWriter<byte>();
        kit.Engine.WriteSnapshot([kit.Number(Detector), kit.Number(Meter), kit.Number(Charger)], writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void Run(FleetTestKit kit, ReadOnlySpan<Step> steps)
    {
        foreach (var step in steps)
        {
            if (step.Device is null)
            {
                kit.AdvanceTo(step.Seconds);
            }
            else
            {
                kit.Feed(step.Device, step.Seconds, step.Metrics);
            }
        }
    }
}
