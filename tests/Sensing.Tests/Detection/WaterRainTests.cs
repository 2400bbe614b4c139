using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Water;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class WaterRainTests
{
    private const string Gauge = "rg-00001";

    private static WaterTestKit Kit(DetectionOptions? options = null) => new WaterTestKit(options).Add(Gauge, DeviceKind.RainGauge, "jimo-2");

    [Test]
    public void Process_50MmWithin24h_RaisesHeavyRainOnTheGauge()
    {
        var kit = Kit();

        // 10 mm an hour for five hours, reported every 30 min.
        for (var i = 1; i <= 9; i++)
        {
            kit.Feed(Gauge, i * 30 * Minute, Metric.Rain, 5);
        }

        Assert.That(kit.Events, Is.Empty, "45 mm is below the threshold");
        kit.Feed(Gauge, 10 * 30 * Minute, Metric.Rain, 5);

        Assert.That(kit.Events, Has.Count.EqualTo(1));
        var raised = kit.Events[0];
        Assert.Multiple(() =>
        {
            Assert.That(raised.Type, Is.EqualTo(AlertEventType.Raised));
            Assert.That(raised.Condition, Is.EqualTo("water.heavy-rain"));
            Assert.That(raised.Source, Is.EqualTo(Gauge));
            Assert.That(raised.District, Is.EqualTo("jimo-2"));
            Assert.That(raised.Value, Is.EqualTo(50));
            Assert.That(raised.Id, Is.EqualTo(AlertId.Create(Gauge, AlertCondition.HeavyRain, T0 + (300 * Minute))));
            Assert.That(kit.Engine.Water.HeavyRain.ActiveCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void Process_SteadyDrizzleSpreadOverMoreThan24h_NeverRaises()
    {
        var kit = Kit();

        // 2 mm an hour for three days: 48 mm in any 24 h, never 50, although 144 mm fell in all.
        for (var i = 1; i <= 72; i++)
        {
            kit.Feed(Gauge, i * Hour, Metric.Rain, 2);
        }

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Water.HeavyRain.WindowRainMm(kit.Number(Gauge)), Is.EqualTo(48).Within(1e-9));
    }

    [Test]
    public void Process_WindowSlidesPastTheStorm_ClearsAfterDeadbandAndOffDelay()
    {
        var kit = Kit();
        kit.Feed(Gauge, 1 * Hour, Metric.Rain, 60);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        // Dry reports: the storm is still inside the 24 h window.
        kit.Feed(Gauge, 20 * Hour, Metric.Rain, 0);
        kit.Feed(Gauge, 24 * Hour, Metric.Rain, 0);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        // 25 h: the storm's bucket left the window; the off-delay (60 s) starts.
        kit.Feed(Gauge, 25 * Hour, Metric.Rain, 0);
        Assert.That(kit.Events, Has.Count.EqualTo(1));
        kit.Feed(Gauge, (25 * Hour) + Minute, Metric.Rain, 0);

        Assert.That(kit.Events, Has.Count.EqualTo(2));
        Assert.That(kit.Events[1].Type, Is.EqualTo(AlertEventType.Cleared));
        Assert.That(kit.Events[1].Id, Is.EqualTo(kit.Events[0].Id));
        Assert.That(kit.Events[1].PeakValue, Is.EqualTo(60));
        Assert.That(kit.Engine.Water.HeavyRain.ActiveCount, Is.Zero);
    }

    [Test]
    public void AdvanceTo_GaugeSilentAfterStorm_ClearsOnceStormLeftWindowForOffDelay()
    {
        var kit = Kit();
        kit.Feed(Gauge, 1 * Hour, Metric.Rain, 60);

        // The gauge reports only while it rains: event time moves on through the engine's watermark alone (the
        // silent gauge also goes offline: device health, not this detector).
        kit.Engine.AdvanceTo(T0 + (24 * Hour));
        kit.Engine.AdvanceTo(T0 + (25 * Hour));
        Assert.That(kit.Of(AlertCondition.HeavyRain), Has.Count.EqualTo(1), "window empty from 25 h; the 60 s off-delay starts");

        kit.Engine.AdvanceTo(T0 + (25 * Hour) + Minute);
        var rain = kit.Of(AlertCondition.HeavyRain);
        Assert.That(rain.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(rain[1].ClearedAtMs, Is.EqualTo(T0 + (25 * Hour) + Minute));
        Assert.That(rain[1].Count, Is.EqualTo(1), "ticks do not count as confirming readings");
    }

    [Test]
    public void Process_SumInsideDeadband_StaysActive()
    {
        var kit = Kit();
        kit.Feed(Gauge, 1 * Hour, Metric.Rain, 30);
        kit.Feed(Gauge, 5 * Hour, Metric.Rain, 21);

        // 25 h: the first 30 mm left; 21 + 28 = 49 mm is inside the 2.5 mm deadband (47.5 .. 50).
        kit.Feed(Gauge, 25 * Hour, Metric.Rain, 28);
        kit.Feed(Gauge, 26 * Hour, Metric.Rain, 0);

        Assert.That(kit.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }));
        Assert.That(kit.Engine.Water.HeavyRain.WindowRainMm(kit.Number(Gauge)), Is.EqualTo(49).Within(1e-9));
    }

    [Test]
    public void Process_NegativeNaNAndAncientReports_Ignored()
    {
        var kit = Kit();
        kit.Feed(Gauge, 2 * Day, Metric.Rain, 10);
        kit.Feed(Gauge, (2 * Day) + Minute, Metric.Rain, -100);
        kit.Feed(Gauge, (2 * Day) + (2 * Minute), Metric.Rain, double.NaN);
        kit.Feed(Gauge, (2 * Day) + (3 * Minute), Metric.Rain, double.PositiveInfinity);
        kit.Feed(Gauge, 0, Metric.Rain, 45);   // older than the window: out of order by two days

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Water.HeavyRain.WindowRainMm(kit.Number(Gauge)), Is.EqualTo(10));
    }

    [Test]
    public void Process_DistrictOverride_UsesItsThreshold()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    ["jimo-2"] = o => o with { Water = o.Water with { HeavyRain = o.Water.HeavyRain with { ThresholdMm = 30, DeadbandMm = 1 } } },
                },
            },
        };
        var kit = Kit(options).Add("rg-00002", DeviceKind.RainGauge, "laoshan-3");

        kit.Feed(Gauge, Hour, Metric.Rain, 35);
        kit.Feed("rg-00002", Hour, Metric.Rain, 35);

        Assert.That(kit.Events.Select(e => e.Source), Is.EqualTo(new[] { Gauge }));
    }
}
