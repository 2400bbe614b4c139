using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;

namespace Sensing.Tests.Simulators;

/// <summary>The simulated city's fire-safety devices: buildings, report on change, incidents and traps.</summary>
[TestFixture]
public sealed class FireCityTests
{
    private static readonly long Monday = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    private static CityModel City()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 400 });
        IncidentPlan.Apply(city, Monday, TimeSpan.FromDays(14));
        return city;
    }

    [Test]
    public void Create_FireDevices_EachInABuildingOfItsDistrict()
    {
        var city = City();
        var fire = city.Devices.Where(d => d.Info.Kind is DeviceKind.SmokeAlarm or DeviceKind.ElectricalFireDetector or DeviceKind.FireWaterPressure).ToList();
        Assert.That(fire, Is.Not.Empty);
        Assert.That(fire.Select(d => d.Info.Parameters.Get("building", "")), Has.All.Matches<string>(b => b.Length > 0));
        Assert.That(fire, Has.All.Matches<CityDevice>(d => d.Info.Parameters.Get("building", "").StartsWith(d.Info.District + "-b", StringComparison.Ordinal)));
    }

    [Test]
    public void Simulation_BurntToast_ReportsAlarmAtItsStartAndClearWithinTheWindow()
    {
        var city = City();
        var toast = city.Incidents.Single(i => i.Kind == IncidentKind.BurntToast);
        var readings = Readings(city, toast.Device, toast.StartMs - 60_000, toast.EndMs);

        Assert.That(readings.Select(r => (r.TimeMs - toast.StartMs, r.Bits)), Is.EqualTo(new[]
        {
            (0L, (double)SmokeAlarmBits.Alarm), (CityModel.BurntToastAlarmMs, 0.0),
        }), "an alarm reports its change at once, not at its 4 h heartbeat");
    }

    [Test]
    public void Simulation_KitchenFire_TwoAlarmsOfOneBuilding45SecondsApart()
    {
        var city = City();
        var fires = city.Incidents.Where(i => i.Kind == IncidentKind.KitchenFire).OrderBy(i => i.StartMs).ToList();
        Assert.That(fires, Has.Count.EqualTo(2));
        Assert.That(fires.Select(f => city.Devices[f.Device].Info.Parameters.Get("building", "")).Distinct().Count(), Is.EqualTo(1));
        Assert.That(fires[1].StartMs - fires[0].StartMs, Is.EqualTo(CityModel.KitchenFireSpreadMs));

        var second = Readings(city, fires[1].Device, fires[0].StartMs, fires[0].StartMs + 120_000);
        Assert.That(second.First(), Is.EqualTo((fires[1].StartMs, (double)SmokeAlarmBits.Alarm)));
    }

    private static List<(long TimeMs, double Bits)> Readings(CityModel city, int device, long fromMs, long toMs)
    {
        var simulation = new CitySimulation(city, Monday, toMs);
        var metrics = new MetricValue[CityModel.MaxMetrics];
        var found = new List<(long, double)>();
        while (simulation.TryNext(metrics, out var reading))
        {
            if (reading.Device.Index == device && reading.TimeMs >= fromMs)
            {
                found.Add((reading.TimeMs, metrics[..reading.MetricCount].Single(m => m.Metric == Metric.AlarmBits).Value));
            }
        }

        return found;
    }
}
