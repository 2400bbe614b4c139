using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Rules;
using Sensing.Tests.Detection;

namespace Sensing.Tests.Rules;

/// <summary>Rules files driving the detection engine: what their overrides raise, and new rules applied to a running engine.</summary>
[TestFixture]
public sealed class RulesDetectionTests
{
    private const string Tunnel = "md-tunnel";
    private const string OtherTunnel = "md-tunnel-2";

    private static DetectionOptions Rules(string text) => RulesFile.Parse(text, "rules.yaml").Detection;

    private static DetectionTestKit Kit(DetectionOptions options)
    {
        var kit = new DetectionTestKit(options);
        kit.Registry.Upsert(
        [
            new DeviceInfo(Tunnel, DeviceKind.MethaneDetector, "tunnel-1", 30, ""),
            new DeviceInfo(OtherTunnel, DeviceKind.MethaneDetector, "tunnel-1", 30, ""),
        ]);
        return kit;
    }

    [Test]
    public void Process_DistrictEntry_TunnelRaisesAt20LelOtherDistrictsDoNot()
    {
        var kit = Kit(Rules("""
            districts:
              tunnel-1:
                methane:
                  level1Lel: 20
                  level2Lel: 35
            """));

        kit.Feed(1, 0, 21);                 // laoshan-3: the city's 25 %LEL
        kit.Feed(1, 0, 21, Tunnel);         // tunnel-1: 20 %LEL
        kit.Feed(2, 1, 36, Tunnel);

        Assert.That(kit.Events.Select(e => (e.Source, e.Type, e.Severity)), Is.EqualTo(new[]
        {
            (Tunnel, AlertEventType.Raised, AlertSeverity.High),
            (Tunnel, AlertEventType.Updated, AlertSeverity.Critical),
        }));
    }

    [Test]
    public void Process_DeviceEntry_OnlyThatDetectorRaisesAt15Lel()
    {
        var kit = Kit(Rules("""
            devices:
              md-tunnel:
                methane:
                  level1Lel: 15
            """));

        kit.Feed(1, 0, 16, Tunnel);
        kit.Feed(1, 0, 16, OtherTunnel);
        kit.Feed(1, 0, 16);

        Assert.That(kit.Events.Select(e => (e.Source, e.Type)), Is.EqualTo(new[] { (Tunnel, AlertEventType.Raised) }));
    }

    [Test]
    public void Process_DeviceEntryInsideADistrictEntry_KeepsTheDistrictsLimitAndAddsItsOwn()
    {
        var kit = Kit(Rules("""
            districts:
              tunnel-1:
                methane:
                  level1Lel: 20
                  level2Lel: 35
            devices:
              md-tunnel:
                methane:
                  offDelay: 0s
            """));

        // Both raise at the district's 20 %LEL; only the device with its own zero off-delay clears on the first low reading.
        kit.Feed(1, 0, 21, Tunnel);
        kit.Feed(1, 0, 21, OtherTunnel);
        kit.Feed(2, 1, 5, Tunnel);
        kit.Feed(2, 1, 5, OtherTunnel);

        Assert.That(kit.Events.Select(e => (e.Source, e.Type)), Is.EqualTo(new[]
        {
            (Tunnel, AlertEventType.Raised),
            (OtherTunnel, AlertEventType.Raised),
            (Tunnel, AlertEventType.Cleared),
        }));
    }

    [Test]
    public void Process_KindEntry_AppliesToThatKindInEveryDistrict()
    {
        var kit = new FleetTestKit(Rules("""
            kinds:
              methane-detector:
                health:
                  lowBatteryVolts: 11.5
                  lowBatteryOnDelay: 0s
            """));

        kit.Feed(FleetTestKit.Detector, 0, FleetTestKit.Battery(11.0));    // 12 V backup battery
        kit.Feed(FleetTestKit.Meter, 0, FleetTestKit.Battery(3.0));        // gas meter: the city's 1 h on-delay

        Assert.That(kit.Of(AlertCondition.LowBattery).Select(e => e.Source), Is.EqualTo(new[] { FleetTestKit.Detector }));
    }

    [Test]
    public void Process_WaterDistrictEntry_ChangesTheDistrictsPressureLimit()
    {
        var kit = new WaterTestKit(Rules("""
            districts:
              jiaozhou-1:
                water:
                  lowPressure:
                    minimumMpa: 0.2
            """)).Add("wp-1", DeviceKind.WaterPressure, "jiaozhou-1").Add("wp-2", DeviceKind.WaterPressure, "laoshan-3");

        foreach (var id in new[] { "wp-1", "wp-2" })
        {
            kit.Feed(id, 0, Metric.Pressure, 0.18);
            kit.Feed(id, 5 * WaterTestKit.Minute, Metric.Pressure, 0.18);
        }

        Assert.That(kit.Events.Select(e => (e.Source, e.Type)), Is.EqualTo(new[] { ("wp-1", AlertEventType.Raised) }));
    }

    [Test]
    public void Apply_UnrelatedThresholdChanged_ActiveAlertStaysActiveNotRaisedAgain()
    {
        var kit = Kit(DetectionOptions.Default);
        kit.Feed(1, 0, 30);
        Assert.That(kit.Engine.Methane.TryGetActive(Number(kit, DetectionTestKit.Methane), out var before, out _), Is.True);

        kit.Engine.Apply(Rules("health:\n  lowBatteryVolts: 3.2\n"));
        kit.Feed(2, 10, 30);
        kit.Feed(3, 20, 31);

        Assert.That(kit.Engine.Methane.TryGetActive(Number(kit, DetectionTestKit.Methane), out var after, out _), Is.True);
        Assert.That(after, Is.EqualTo(before));
        Assert.That(kit.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }), "no second raise");
        Assert.That(kit.Engine.Options.Health.LowBatteryVolts, Is.EqualTo(3.2));

        // The alert goes on to clear as it would have: below 20 %LEL for the 30 s off-delay.
        kit.Feed(4, 30, 10);
        kit.Feed(5, 60, 10);
        Assert.That(kit.Events.Select(e => (e.Id, e.Type)), Is.EqualTo(new[] { (before, AlertEventType.Raised), (before, AlertEventType.Cleared) }));
    }

    [Test]
    public void Apply_LimitLowered_NextReadingRaisesUnderTheNewLimit()
    {
        var kit = Kit(DetectionOptions.Default);
        kit.Feed(1, 0, 21);
        Assert.That(kit.Events, Is.Empty);

        kit.Engine.Apply(Rules("methane:\n  level1Lel: 20\n"));
        kit.Feed(2, 1, 21);

        Assert.That(kit.Events.Select(e => (e.Type, e.RaisedAtMs)), Is.EqualTo(new[] { (AlertEventType.Raised, DetectionTestKit.T0 + 1_000) }));
    }

    [Test]
    public void Apply_ChargerOutOfServiceShortened_PendingChargerRaisedAtTheNewDeadline()
    {
        var kit = new FleetTestKit();
        kit.Feed(FleetTestKit.Charger, 0, FleetTestKit.Status(ChargerStatus.Faulted));
        kit.AdvanceTo(200);
        Assert.That(kit.Of(AlertCondition.ChargerOutOfService), Is.Empty, "15 min by default");

        kit.Engine.Apply(Rules("charger:\n  outOfServiceAfter: 2m\n"));
        kit.AdvanceTo(201);

        Assert.That(kit.Of(AlertCondition.ChargerOutOfService).Single().RaisedAtMs, Is.EqualTo(FleetTestKit.T0 + 120_000));
    }

    [Test]
    public void Apply_BaselineLayoutChanged_RefusedAndOptionsKept()
    {
        var kit = new WaterTestKit().Add("wf-1", DeviceKind.WaterFlow, "d07", "role=inlet");
        kit.Feed("wf-1", 0, Metric.WaterFlow, 100);
        var before = kit.Engine.Options;

        Assert.That(() => kit.Engine.Apply(Rules("water:\n  nightFlow:\n    baselineDays: 14\n")),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Water.NightFlow.BaselineDays").And.Message.Contains("restart"));
        Assert.That(kit.Engine.Options, Is.SameAs(before));
    }

    [Test]
    public void Process_BerlinTimeZone_NightWindowFollowsDaylightSaving()
    {
        // Flow by hour of the UTC day: 00h 100, 01h 200, 02h 300, 18-19h 400, else 500 m3/h. The night window is
        // 02:00-04:00 local: 00-02 UTC in Berlin summer (UTC+2), 01-03 UTC in Berlin winter (UTC+1), 18-20 UTC in Shanghai.
        static double Flow(long utcMs) => (utcMs / WaterTestKit.Hour % 24) switch
        {
            0 => 100,
            1 => 200,
            2 => 300,
            18 or 19 => 400,
            _ => 500,
        };

        var winter = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - WaterTestKit.T0;
        double[] Run(DetectionOptions options)
        {
            var kit = new WaterTestKit(options).Add("wf-1", DeviceKind.WaterFlow, "d07", "role=inlet");
            var mnf = new double[2];
            foreach (var (day, i) in new[] { (0L, 0), (winter, 1) })
            {
                for (var t = day; t < day + WaterTestKit.Day; t += 15 * WaterTestKit.Minute)
                {
                    kit.Feed("wf-1", t, Metric.WaterFlow, Flow(WaterTestKit.T0 + t));
                }

                mnf[i] = kit.Engine.Water.NightFlow.LastMinimumNightFlow(kit.Number("wf-1"));
            }

            return mnf;
        }

        Assert.That(Run(Rules("timeZone: Europe/Berlin\n")), Is.EqualTo(new[] { 100.0, 200.0 }));
        Assert.That(Run(DetectionOptions.Default), Is.EqualTo(new[] { 400.0, 400.0 }), "the default stays UTC+8");
    }

    private static int Number(DetectionTestKit kit, string id)
    {
        Assert.That(kit.Registry.TryFind(System.Text.Encoding.ASCII.GetBytes(id), out var number), Is.True);
        return number;
    }
}
