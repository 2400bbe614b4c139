using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Charging;
using static Sensing.Tests.Detection.FleetTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class ChargerDetectorTests
{
    [TestCase(ChargerError.GroundFailure)]
    [TestCase(ChargerError.OverCurrentFailure)]
    [TestCase(ChargerError.HighTemperature)]
    [TestCase(ChargerError.OverVoltage)]
    [TestCase(ChargerError.UnderVoltage)]
    [TestCase(ChargerError.PowerSwitchFailure)]
    public void Process_SafetyError_RaisedOnFirstReadingAndClearedOnNoError(ChargerError error)
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Status(ChargerStatus.Charging), Error(ChargerError.NoError));

        kit.Feed(Charger, 10, Status(ChargerStatus.Faulted), Error(error));
        kit.Feed(Charger, 20, Status(ChargerStatus.Available), Error(ChargerError.NoError));

        var events = kit.Of(AlertCondition.ChargerSafety);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + 10_000));
        Assert.That(events[0].Severity, Is.EqualTo(AlertSeverity.High));
        Assert.That(events[0].Value, Is.EqualTo((double)error));
        Assert.That(events[0].Message, Does.Contain(error.ToString()));
        Assert.That(events[1].ClearedAtMs, Is.EqualTo(T0 + 20_000));
    }

    [Test]
    public void Process_NonSafetyError_NeitherRaisesNorClears()
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Error(ChargerError.EVCommunicationError));
        Assert.That(kit.Events, Is.Empty);

        kit.Feed(Charger, 10, Error(ChargerError.GroundFailure));
        kit.Feed(Charger, 20, Error(ChargerError.WeakSignal));
        Assert.That(kit.Engine.Charger.TryGetActive(kit.Number(Charger), AlertCondition.ChargerSafety, out _, out _), Is.True);

        kit.Feed(Charger, 30, Error(ChargerError.NoError));
        Assert.That(kit.Engine.Charger.ActiveCount(AlertCondition.ChargerSafety), Is.Zero);
    }

    [Test]
    public void AdvanceTo_FaultedLongerThanAllowed_RaisedAtTheMomentItRanOut()
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Status(ChargerStatus.Faulted));

        // Chargers report status on change only: the watermark, moved by other devices, runs the time out.
        kit.AdvanceTo(899);
        Assert.That(kit.Of(AlertCondition.ChargerOutOfService), Is.Empty);
        kit.AdvanceTo(1_000);

        var raised = kit.Of(AlertCondition.ChargerOutOfService).Single();
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + 900_000));
        Assert.That(raised.EventTimeMs, Is.EqualTo(T0 + 900_000));
        Assert.That(raised.Id, Is.EqualTo(AlertId.Create(Charger, AlertCondition.ChargerOutOfService, T0 + 900_000)));
        Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Medium));

        kit.AdvanceTo(5_000);
        Assert.That(kit.Of(AlertCondition.ChargerOutOfService), Has.Count.EqualTo(1));
        kit.Feed(Charger, 5_000, Status(ChargerStatus.Available));
        Assert.That(kit.Of(AlertCondition.ChargerOutOfService).Last().Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Process_UnavailableReportedAgainPastTheLimit_RaisedWithoutAdvance()
    {
        var kit = new FleetTestKit();

        kit.Feed(Charger, 0, Status(ChargerStatus.Unavailable));
        kit.Feed(Charger, 1_200, Status(ChargerStatus.Unavailable));

        Assert.That(kit.Of(AlertCondition.ChargerOutOfService).Single().RaisedAtMs, Is.EqualTo(T0 + 1_200_000));
    }

    [Test]
    public void AdvanceTo_FaultedThenAvailableBeforeTheLimit_RaisesNothing()
    {
        var kit = new FleetTestKit();

        kit.Feed(Charger, 0, Status(ChargerStatus.Faulted));
        kit.Feed(Charger, 600, Status(ChargerStatus.Available));
        kit.AdvanceTo(3_600);

        Assert.That(kit.Of(AlertCondition.ChargerOutOfService), Is.Empty);
    }

    [Test]
    public void AdvanceTo_DistrictOverride_UsesItsLimit()
    {
        var kit = new FleetTestKit(DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    [District] = o => o with { Charger = o.Charger with { OutOfServiceAfter = TimeSpan.FromMinutes(2) } },
                },
            },
        });

        kit.Feed(Charger, 0, Status(ChargerStatus.Faulted));
        kit.AdvanceTo(121);

        Assert.That(kit.Of(AlertCondition.ChargerOutOfService).Single().RaisedAtMs, Is.EqualTo(T0 + 120_000));
    }

    [Test]
    public void Process_StatusOutsideOcpp_Ignored()
    {
        var kit = new FleetTestKit();

        kit.Feed(Charger, 0, new MetricValue(Metric.ConnectorStatus, 42), new MetricValue(Metric.ChargerErrorCode, 3.5));
        kit.AdvanceTo(100_000);

        Assert.That(kit.Events.Where(e => e.Condition.StartsWith("charger.", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Constructor_OutOfServiceAfterZero_ThrowsNamingIt()
    {
        var options = DetectionOptions.Default with { Charger = ChargerDetectorOptions.Default with { OutOfServiceAfter = TimeSpan.Zero } };

        Assert.That(
            () => new DetectionEngine(options, new Core.Devices.DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("OutOfServiceAfter"));
    }
}
