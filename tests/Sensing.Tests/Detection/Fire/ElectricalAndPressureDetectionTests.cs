using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Rules;
using static Sensing.Tests.Detection.Fire.FireTestKit;

namespace Sensing.Tests.Detection.Fire;

[TestFixture]
public sealed class ElectricalAndPressureDetectionTests
{
    [Test]
    public void Residual_PreAlarmThenSetPoint_RaisesMediumThenEscalatesToHigh()
    {
        var kit = new FireTestKit();
        kit.Feed("ef-1", 0, (Metric.ResidualCurrentMa, 150));
        kit.Feed("ef-1", 5 * Minute, (Metric.ResidualCurrentMa, 250));
        kit.Feed("ef-1", 10 * Minute, (Metric.ResidualCurrentMa, 320));

        var events = kit.Sink.Events.Where(e => e.Condition == AlertCondition.ResidualCurrent.Name()).ToList();
        Assert.That(events.Select(e => (e.Type, e.Severity)), Is.EqualTo(new[]
        {
            (AlertEventType.Raised, AlertSeverity.Medium), (AlertEventType.Updated, AlertSeverity.High),
        }));
    }

    [Test]
    public void Residual_DeviceSetPointParameter_OverridesRules()
    {
        var kit = new FireTestKit();
        kit.Registry.Upsert([kit.Registry[4] with { Parameters = Core.Devices.DeviceParameters.Parse("building=tower-7;residual_set_ma=500") }]);
        kit.Feed("ef-1", 0, (Metric.ResidualCurrentMa, 320));
        Assert.That(kit.Raised(AlertCondition.ResidualCurrent), Is.Empty, "320 mA is below 0.8 x 500 mA");
    }

    [Test]
    public void Temperature_RisingFasterThanRateBelowSetPoint_Raises()
    {
        var kit = new FireTestKit();
        kit.Feed("ef-1", 0, (Metric.Temperature, 35));
        kit.Feed("ef-1", Minute, (Metric.Temperature, 37));
        Assert.That(kit.Raised(AlertCondition.CircuitTemperature), Is.Empty, "2 C/min");

        kit.Feed("ef-1", 2 * Minute, (Metric.Temperature, 48));
        var raised = kit.Raised(AlertCondition.CircuitTemperature).Single();
        Assert.That(raised.Message, Does.Contain("rising"));
    }

    [Test]
    public void Maintenance_DailyPeakRisingOverDays_RaisesLowOnceTrendHolds()
    {
        var kit = new FireTestKit();
        var peaks = new[] { 40.0, 40.3, 39.8, 40.1, 40.0, 42.5, 45.0, 47.5, 50.0 };

        // Days are UTC days: start at the first midnight after T0.
        var midnight = ((T0 / Day) + 1) * Day;
        var start = midnight - T0;
        for (var day = 0; day < peaks.Length + 1; day++)
        {
            for (var hour = 0; hour < 24; hour += 2)
            {
                var peak = day < peaks.Length ? peaks[day] : 50;
                kit.Feed("ef-1", start + (day * Day) + (hour * Hour), (Metric.Temperature, hour == 14 ? peak : peak - 8));
            }
        }

        var raised = kit.Raised(AlertCondition.CircuitMaintenance).Single();
        Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Low));
        Assert.That((raised.RaisedAtMs - midnight) / Day, Is.EqualTo(7), "on day 7, once days 5 and 6 (+2.5 C each) are in the 4-day window: slope 1.7 C/day, rise 4.9 C");
        Assert.That(kit.Raised(AlertCondition.CircuitTemperature), Is.Empty, "never near the set point");
    }

    [Test]
    public void Pressure_TwoSensorsOfBuildingLowPastOnDelay_OneBuildingAlert()
    {
        var kit = new FireTestKit();
        for (var m = 0; m <= 15; m++)
        {
            kit.Feed("fp-1", m * Minute, (Metric.Pressure, m < 2 ? 0.3 : 0.02));
            kit.Feed("fp-2", (m * Minute) + Second, (Metric.Pressure, m < 2 ? 0.3 : 0.03));
        }

        var raised = kit.Raised(AlertCondition.FireWaterPressureLow).Single();
        Assert.That(raised.Source, Is.EqualTo("tower-7"));
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (7 * Minute)), "first sensor low from 2 min, 5 min on-delay");
        Assert.That(kit.Engine.Fire.TryGetBuildingPressureAlert("tower-7", out _), Is.True);

        kit.Feed("fp-1", 20 * Minute, (Metric.Pressure, 0.3));
        kit.Feed("fp-1", 22 * Minute, (Metric.Pressure, 0.3));
        Assert.That(kit.Engine.Fire.TryGetBuildingPressureAlert("tower-7", out _), Is.True, "fp-2 still low");
        kit.Feed("fp-2", 20 * Minute, (Metric.Pressure, 0.3));
        kit.Feed("fp-2", 22 * Minute, (Metric.Pressure, 0.3));
        Assert.That(kit.Sink.Events.Last().Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Pressure_DipWhilePumpStartsShorterThanOnDelay_RaisesNothing()
    {
        var kit = new FireTestKit();
        var t = 0L;
        foreach (var p in new[] { 0.30, 0.05, 0.04, 0.08, 0.30, 0.30 })
        {
            kit.Feed("fp-1", t, (Metric.Pressure, p));
            t += 30 * Second;
        }

        Assert.That(kit.Sink.Events, Is.Empty);
    }

    [Test]
    public void Pressure_KindEntryLowersMinimum_SensorAboveItRaisesNothing()
    {
        var rules = RulesFile.Parse("""
            kinds:
              fire-water-pressure:
                fire:
                  waterPressure:
                    minimumMpa: 0.07
            """, "rules.yaml").Detection;
        var kit = new FireTestKit(rules);
        for (var m = 0; m <= 10; m++)
        {
            kit.Feed("fp-1", m * Minute, (Metric.Pressure, 0.08));
        }

        Assert.That(kit.Sink.Events, Is.Empty);
    }

    [Test]
    public void Snapshot_BuildingAlertRestoredInAnotherEngine_ClearsUnderItsId()
    {
        var kit = new FireTestKit();
        for (var m = 0; m <= 8; m++)
        {
            kit.Feed("fp-1", m * Minute, (Metric.Pressure, 0.02));
        }

        var raised = kit.Raised(AlertCondition.FireWaterPressureLow).Single();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        kit.Engine.WriteSnapshot([5, 6], buffer);

        var other = new FireTestKit();
        other.Engine.RestoreSnapshot(buffer.WrittenSpan);
        Assert.That(other.Engine.Fire.TryGetBuildingPressureAlert("tower-7", out var id), Is.True);
        Assert.That(id, Is.EqualTo(raised.Id));

        // The restored engine knows fp-1's last sequence number (9): the new kit's first nine are duplicates, skipped.
        for (var m = 0; m <= 8; m++)
        {
            other.Feed("fp-1", m * Minute, (Metric.Pressure, 0.3));
        }

        Assert.That(other.Sink.Events, Is.Empty);
        other.Feed("fp-1", 10 * Minute, (Metric.Pressure, 0.3));
        other.Feed("fp-1", 12 * Minute, (Metric.Pressure, 0.3));
        var cleared = other.Sink.Events.Single();
        Assert.That((cleared.Type, cleared.Id), Is.EqualTo((AlertEventType.Cleared, raised.Id)));
    }
}
