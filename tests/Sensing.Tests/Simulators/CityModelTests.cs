using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;

namespace Sensing.Tests.Simulators;

public sealed class CityModelTests
{
    private static readonly long Monday = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds(); // local midnight

    [Test]
    public void Create_SameSeed_SameDevicesAndReadings()
    {
        var a = Readings(CityModel.Create(CityOptions.Default with { Devices = 400 }), TimeSpan.FromHours(2));
        var b = Readings(CityModel.Create(CityOptions.Default with { Devices = 400 }), TimeSpan.FromHours(2));
        Assert.That(a, Has.Count.GreaterThan(1000));
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void Create_OtherSeed_OtherPasswordsAndReadings()
    {
        var a = CityModel.Create(CityOptions.Default with { Devices = 400 });
        var b = CityModel.Create(CityOptions.Default with { Devices = 400, Seed = 7 });
        Assert.That(b.Devices.Select(d => d.Info.Id), Is.EqualTo(a.Devices.Select(d => d.Info.Id)), "ids follow the mix, not the seed");
        Assert.That(b.Devices[0].Password, Is.Not.EqualTo(a.Devices[0].Password));
        Assert.That(Readings(b, TimeSpan.FromHours(1)), Is.Not.EqualTo(Readings(a, TimeSpan.FromHours(1))));
    }

    [Test]
    public void Create_DefaultMix_FollowsDomainProportions()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 190_000, Districts = 100 });
        var counts = city.Devices.GroupBy(d => d.Info.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(city.Devices, Has.Count.EqualTo(190_000));
        // Shares are relative weights: the fire-safety devices come on top of DOMAIN.md's proportions.
        var total = KindMix.Default.Shares.Values.Sum();
        foreach (var (kind, share) in KindMix.Default.Shares)
        {
            Assert.That(counts[kind], Is.EqualTo(190_000 * share / total).Within(1), kind.Name());
        }
    }

    [Test]
    public void Create_Coordinates_EveryDistrictItsOwnSquareAroundTheCentre()
    {
        var options = CityOptions.Default with { Devices = 2_000, Districts = 10 };
        var city = CityModel.Create(options);
        var located = city.Devices.Where(d => d.Info.Kind != DeviceKind.Concentrator).ToList();

        Assert.That(located.Select(d => d.Info.HasLocation), Is.All.True, "every field device has coordinates");
        var boxes = located.GroupBy(d => d.District).Select(g => (
            North: g.Max(d => d.Info.Latitude!.Value), South: g.Min(d => d.Info.Latitude!.Value),
            West: g.Min(d => d.Info.Longitude!.Value), East: g.Max(d => d.Info.Longitude!.Value))).ToList();
        Assert.That(boxes, Has.Count.EqualTo(10));
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var apart = boxes[i].East < boxes[j].West || boxes[j].East < boxes[i].West
                    || boxes[i].North < boxes[j].South || boxes[j].North < boxes[i].South;
                Assert.That(apart, Is.True, $"districts {i} and {j} do not overlap");
            }
        }

        // 10 districts make a 4 x 3 grid of 1.5 km squares: the city is within 3 km (0.027 degrees of latitude) of its centre.
        Assert.That(located.Select(d => Math.Abs(d.Info.Latitude!.Value - options.CentreLatitude)), Is.All.LessThan(0.027));
        Assert.That(located.Select(d => Math.Abs(d.Info.Longitude!.Value - options.CentreLongitude)), Is.All.LessThan(0.04));
        Assert.That(CityModel.Create(options).Devices.Select(d => d.Info.Latitude), Is.EqualTo(city.Devices.Select(d => d.Info.Latitude)),
            "the same seed gives the same places");
    }

    [Test]
    public void Create_EveryDistrict_HasOneInletAndFarEndAndNetworkSensors()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 100, Districts = 8 });
        Assert.That(city.Districts, Has.Count.EqualTo(8));
        foreach (var district in city.Districts)
        {
            var inlet = city.Devices[district.Inlet];
            Assert.That(inlet.Info.Kind, Is.EqualTo(DeviceKind.WaterFlow));
            Assert.That(inlet.Info.Parameters.Get("role", ""), Is.EqualTo("inlet"));
            Assert.That(inlet.Info.District, Is.EqualTo(district.Name));
            Assert.That(district.FarEnds, Is.Not.Empty);
            Assert.That(district.PressureSensors.Except(district.FarEnds), Is.Not.Empty);
            Assert.That(district.FarEnds.Select(i => city.Devices[i].Info.Parameters.Get("role", "")), Is.All.EqualTo("far-end"));
        }

        Assert.That(city.Devices.Count(d => d.Inlet), Is.EqualTo(8), "one inlet per district");
    }

    [Test]
    public void DiurnalDemand_Water_MinimumAtNightPeakInTheMorning()
    {
        Assert.That(DiurnalDemand.Water(3.5), Is.LessThan(0.45));
        Assert.That(DiurnalDemand.Water(8), Is.GreaterThan(1.2));
        Assert.That(DiurnalDemand.Water(19.5), Is.GreaterThan(1.0));
        Assert.That(DiurnalDemand.WaterMinimum, Is.EqualTo(DiurnalDemand.Water(3.5)).Within(0.05));
        Assert.That(DiurnalDemand.GasUse(3), Is.LessThan(0.05));
        Assert.That(DiurnalDemand.GasUse(18.8), Is.GreaterThan(0.4));
    }

    [Test]
    public void Measure_PeakDemand_PressureLowerAndInletFlowHigherThanAtNight()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 100, Districts = 2 });
        var district = city.Districts[0];
        var pressure = city.Devices[district.PressureSensors[0]];
        var inlet = city.Devices[district.Inlet];
        var night = Monday + TimeSpan.FromHours(3.5).Ticks / TimeSpan.TicksPerMillisecond;
        var peak = Monday + TimeSpan.FromHours(8).Ticks / TimeSpan.TicksPerMillisecond;
        Assert.That(Value(city, pressure, peak, Metric.Pressure), Is.LessThan(Value(city, pressure, night, Metric.Pressure) - 0.03));
        Assert.That(Value(city, inlet, peak, Metric.WaterFlow), Is.GreaterThan(2.5 * Value(city, inlet, night, Metric.WaterFlow)));
    }

    [Test]
    public void Measure_GasMeters_NightMostlyZeroEveningOftenInUse()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 2_000 });
        var meters = city.OfKind(DeviceKind.GasMeter).ToList();
        double InUse(double hour) => meters.Count(m => Value(city, m, Monday + (long)(hour * 3_600_000), Metric.GasFlow) > 0) / (double)meters.Count;
        Assert.That(InUse(3), Is.LessThan(0.06));
        Assert.That(InUse(18.8), Is.GreaterThan(0.3));
    }

    [Test]
    public void IncidentPlan_FourteenDayRun_InjectsEveryKindOnItsOwnSource()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 400 });
        var plan = IncidentPlan.Apply(city, Monday, TimeSpan.FromDays(14));
        Assert.That(plan.Skipped, Is.Empty);
        Assert.That(city.Incidents.Select(i => i.Kind).Distinct(), Is.EquivalentTo(IncidentKinds.All), "a kitchen fire is two incidents, one per smoke alarm");
        Assert.That(city.Incidents.Select(i => i.Source), Is.Unique);
        Assert.That(city.Incidents.Where(i => i.Kind.IsTrap()).Select(i => i.Truth.ExpectedCondition), Is.All.EqualTo("none"));
    }

    [Test]
    public void IncidentPlan_OneMinuteRun_SkipsKindsNeedingDaysAndSaysSo()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 400, ReportSecondsOverride = 2 });
        var plan = IncidentPlan.Apply(city, Monday, TimeSpan.FromMinutes(1));
        Assert.That(city.Incidents.Select(i => i.Kind), Does.Contain(IncidentKind.MethaneLevel2).And.Contain(IncidentKind.ChargerGroundFault));
        Assert.That(plan.Skipped, Has.Some.StartsWith("meter-micro-leak").And.Some.StartsWith("pipe-burst"));
        Assert.That(city.Incidents.All(i => i.StartMs >= Monday && i.EndMs <= Monday + 60_000), Is.True);
    }

    [Test]
    public void IncidentPlan_SevenMinuteRunAt5s_HoldsARuptureLongEnoughToDetectOnAMeterOfItsOwn()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 3000, ReportSecondsOverride = 5 });
        var plan = IncidentPlan.Apply(city, Monday, TimeSpan.FromSeconds(420));
        var rupture = city.Incidents.Single(i => i.Kind == IncidentKind.MeterRupture);
        Assert.That(plan.Skipped, Has.None.StartsWith("meter-rupture"));
        Assert.That(city.Devices[rupture.Device].Concentrator, Is.LessThan(0), "not behind a concentrator: its valve takes the command");
        Assert.That(rupture.EndMs - rupture.StartMs, Is.GreaterThanOrEqualTo((6 * 60_000) + 10_000), "5 min of flow for the detector, and time for the command");
        Assert.That(rupture.EndMs, Is.LessThanOrEqualTo(Monday + 420_000));
        Assert.That(IncidentPlan.FitsShortRun(IncidentKind.MeterRupture, 5, TimeSpan.FromSeconds(420)), Is.True);
    }

    [Test]
    public void IncidentPlan_FourMinuteRun_LeavesTheRuptureOutAndSaysSo()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 400, ReportSecondsOverride = 30 });
        var plan = IncidentPlan.Apply(city, Monday, TimeSpan.FromMinutes(4));
        Assert.That(city.Incidents.Select(i => i.Kind), Does.Not.Contain(IncidentKind.MeterRupture));
        Assert.That(plan.Skipped, Has.Some.StartsWith("meter-rupture: its window does not fit"));
    }

    [Test]
    public void BigConsumerTrap_RegistryCarriesItsQmax()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 400 });
        IncidentPlan.Apply(city, Monday, TimeSpan.FromDays(14));
        var trap = city.Incidents.Single(i => i.Kind == IncidentKind.BigConsumer);
        Assert.That(city.Devices[trap.Device].Info.Parameters.GetDouble("qmax", 0), Is.EqualTo(40));
    }

    [Test]
    public void Create_BinaryShare_AboutThatShareOfDevicesSendBinary()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 10_000, BinaryShare = 0.2 });
        Assert.That(city.Devices.Count(d => d.Binary) / (double)city.Devices.Count, Is.EqualTo(0.2).Within(0.02));
        Assert.That(CityModel.Create(CityOptions.Default with { BinaryShare = 0 }).Devices.Any(d => d.Binary), Is.False);
    }

    private static double Value(CityModel city, CityDevice device, long timeMs, Metric metric)
    {
        Span<MetricValue> metrics = stackalloc MetricValue[CityModel.MaxMetrics];
        var count = city.Measure(device, timeMs, metrics, out _);
        foreach (var m in metrics[..count])
        {
            if (m.Metric == metric)
            {
                return m.Value;
            }
        }

        throw new AssertionException($"{device.Info.Id} has no {metric}");
    }

    private static List<string> Readings(CityModel city, TimeSpan duration)
    {
        var lines = new List<string>();
        CityRecorderLines(city, duration, lines);
        return lines;
    }

    private static void CityRecorderLines(CityModel city, TimeSpan duration, List<string> lines) =>
        Sensing.Simulators.Replay.CityRecorder.Run(city, Monday, duration, (r, m) =>
            lines.Add($"{r.Device.Info.Id} {r.EventTimeMs} {r.Sequence} {string.Join(' ', m.ToArray().Select(v => $"{v.Metric}={v.Value}"))}"));
}
