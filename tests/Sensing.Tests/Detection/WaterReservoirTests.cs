using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class WaterReservoirTests
{
    private const string Gauge = "rl-00001";

    // Flood limit 17.0, warning 18.0 (blue from 17.0 = min(18.0 - 0.5, flood limit)), guaranteed 19.5, record 20.2.
    private const string Levels = "flood_limit_m=17.0;warning_m=18.0;guaranteed_m=19.5;historic_max_m=20.2";

    private static WaterTestKit Kit(string parameters = Levels) => new WaterTestKit().Add(Gauge, DeviceKind.ReservoirLevel, "jimo-2", parameters);

    [Test]
    public void Process_RisingThroughEveryColour_RaisesBlueThenUpdatesToRed()
    {
        var kit = Kit();
        double[] levels = [16.0, 16.9, 17.0, 17.4, 18.0, 18.9, 19.5, 20.0, 20.2, 20.3];
        for (var i = 0; i < levels.Length; i++)
        {
            kit.Feed(Gauge, i * 10 * Minute, Metric.Level, levels[i]);
        }

        Assert.That(kit.Events.Select(e => (e.Type, e.Severity, e.Value)), Is.EqualTo(new[]
        {
            (AlertEventType.Raised, AlertSeverity.Low, 17.0),
            (AlertEventType.Updated, AlertSeverity.Medium, 18.0),
            (AlertEventType.Updated, AlertSeverity.High, 19.5),
            (AlertEventType.Updated, AlertSeverity.Critical, 20.2),
        }));
        Assert.That(kit.Events[0].Message, Is.EqualTo("Reservoir rl-00001 level 17.00 m: blue (>= 17.00 m)"));
        Assert.That(kit.Events[3].Message, Is.EqualTo("Reservoir rl-00001 level 20.20 m: red (>= 20.20 m)"));
        Assert.That(kit.Events.Select(e => e.Id).Distinct().Count(), Is.EqualTo(1));
        Assert.That(kit.Engine.Water.ReservoirLevel.TryGetActive(kit.Number(Gauge), out _, out var severity), Is.True);
        Assert.That(severity, Is.EqualTo(AlertSeverity.Critical));
    }

    [Test]
    public void Process_WithoutFloodLimit_BlueStartsHalfAMetreBelowWarning()
    {
        var kit = Kit("warning_m=18.0");
        kit.Feed(Gauge, 0, Metric.Level, 17.49);
        Assert.That(kit.Events, Is.Empty);

        kit.Feed(Gauge, Minute, Metric.Level, 17.5);
        Assert.That(kit.Events, Has.Count.EqualTo(1));
        Assert.That(kit.Events[0].Severity, Is.EqualTo(AlertSeverity.Low));
    }

    [Test]
    public void Process_FallingBack_ClearsOnlyBelowDeadbandForOffDelay()
    {
        var kit = Kit();
        kit.Feed(Gauge, 0, Metric.Level, 18.2);

        // Blue starts at 17.0; the deadband is 5 % of the 10 m span: clears below 16.5 held for 60 s.
        kit.Feed(Gauge, 10 * Minute, Metric.Level, 16.6);
        kit.Feed(Gauge, 20 * Minute, Metric.Level, 16.6);
        Assert.That(kit.Events, Has.Count.EqualTo(1), "inside the deadband");

        kit.Feed(Gauge, 30 * Minute, Metric.Level, 16.4);
        kit.Feed(Gauge, (30 * Minute) + 59_999, Metric.Level, 16.4);
        Assert.That(kit.Events, Has.Count.EqualTo(1), "off-delay not over");

        kit.Feed(Gauge, 31 * Minute, Metric.Level, 16.3);
        Assert.That(kit.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(kit.Events[1].Severity, Is.EqualTo(AlertSeverity.Medium), "severity stays at the highest colour reached");
        Assert.That(kit.Events[1].PeakValue, Is.EqualTo(18.2));
    }

    [Test]
    public void Process_RegistryReplacesGaugeLevels_NewLevelsFromTheNextReading()
    {
        var kit = Kit();
        kit.Feed(Gauge, 0, Metric.Level, 16.5);
        Assert.That(kit.Events, Is.Empty);

        // The warning level is lowered to 16.8 m: 16.9 m is now yellow (and an unreadable update is ignored).
        kit.Add(Gauge, DeviceKind.ReservoirLevel, "jimo-2", "warning_m=16.8;guaranteed_m=19.5;historic_max_m=20.2");
        kit.Feed(Gauge, Minute, Metric.Level, 16.9);
        kit.Add(Gauge, DeviceKind.ReservoirLevel, "jimo-2", "warning_m=oops");
        kit.Feed(Gauge, 2 * Minute, Metric.Level, 19.6);

        Assert.That(kit.Events.Select(e => e.Severity), Is.EqualTo(new[] { AlertSeverity.Medium, AlertSeverity.High }));
    }

    [Test]
    public void Process_GaugeWithoutLevels_NeverAlerts()
    {
        var kit = Kit("");
        kit.Feed(Gauge, 0, Metric.Level, 1_000);

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Constructor_LevelNotANumber_ThrowsNamingDeviceAndParameter()
    {
        var kit = Kit("warning_m=high");

        Assert.That(() => kit.Engine, Throws.ArgumentException.With.Message.Contains("rl-00001.warning_m").And.Message.Contains("high"));
    }
}
