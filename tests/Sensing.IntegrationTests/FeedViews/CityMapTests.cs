using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Feed;

namespace Sensing.IntegrationTests.FeedViews;

/// <summary>The city map's layout without servers: districts from registry coordinates, a grid for the rest, worst severities.</summary>
[TestFixture]
public sealed class CityMapTests
{
    private static DeviceInfo At(string id, string district, double? latitude, double? longitude) =>
        new(id, DeviceKind.MethaneDetector, district, 30, "") { Latitude = latitude, Longitude = longitude };

    private static AlertSummary Active(string source, string district, AlertSeverity severity) => new()
    {
        Id = "a-" + source, Type = AlertEventType.Raised, State = "active", Source = source, Condition = "gas.methane-high",
        Severity = severity, District = district, RaisedAtMs = 1, EventTimeMs = 1,
    };

    [Test]
    public void Measure_Devices_CentroidAndBoxOfTheLocatedOnes()
    {
        var places = DistrictPlaces.Measure(
        [
            At("a", "d01", 30.00, 120.00), At("b", "d01", 30.02, 120.04), At("c", "d01", null, null), At("d", "d02", null, null),
        ]);

        var d01 = places.Districts["d01"];
        Assert.That((d01.Devices, d01.Located), Is.EqualTo((3, 2)));
        Assert.That(d01.Box!.Value.Latitude, Is.EqualTo(30.01).Within(1e-9));
        Assert.That(d01.Box!.Value.Longitude, Is.EqualTo(120.02).Within(1e-9));
        Assert.That((d01.Box!.Value.MinLatitude, d01.Box!.Value.MaxLongitude), Is.EqualTo((30.00, 120.04)));
        Assert.That(places.Districts["d02"].Box, Is.Null);
    }

    [Test]
    public void Build_LocatedDistricts_PlacedByCoordinatesAndColouredByTheirWorstAlert()
    {
        // d01 west of d02, both 0.01 degrees square at latitude 30 (about 0.96 km east-west, 1.11 km north-south).
        var devices = new[]
        {
            At("w1", "d01", 30.00, 120.00), At("w2", "d01", 30.01, 120.01),
            At("e1", "d02", 30.00, 120.02), At("e2", "d02", 30.01, 120.03),
        };
        var places = DistrictPlaces.Measure(devices);
        IReadOnlyList<DistrictAlerts> alerts =
        [
            new("d02", 1, 2, 0, 0, 3, 0, 0, 0),
            new("d-elsewhere", 0, 0, 1, 0, 1, 0, 0, 0),
        ];
        var active = new[] { Active("e1", "d02", AlertSeverity.Critical), Active("e1", "d02", AlertSeverity.High), Active("nowhere", "d02", AlertSeverity.High) };

        var map = CityMap.Build(places, alerts, active, id => devices.FirstOrDefault(d => d.Id == id));

        Assert.That(map.Districts.Select(d => d.District), Is.EqualTo(new[] { "d-elsewhere", "d01", "d02" }), "by name");
        var d01 = map.Districts.Single(d => d.District == "d01");
        var d02 = map.Districts.Single(d => d.District == "d02");
        Assert.That((d01.Placed, d01.Worst), Is.EqualTo(("registry", (AlertSeverity?)null)));
        Assert.That((d02.Placed, d02.Worst, d02.Critical, d02.High), Is.EqualTo(("registry", (AlertSeverity?)AlertSeverity.Critical, 1, 2)));
        Assert.That(d01.X, Is.EqualTo(0).Within(0.001));
        Assert.That(d01.Y, Is.EqualTo(0).Within(0.001));
        Assert.That(d01.Width, Is.EqualTo(0.963).Within(0.005), "0.01 degrees of longitude at 30 N");
        Assert.That(d01.Height, Is.EqualTo(1.112).Within(0.005));
        Assert.That(d02.X, Is.EqualTo(1.926).Within(0.005), "d02 lies east of d01");
        Assert.That(d02.Lat, Is.EqualTo(30.005).Within(1e-9));
        Assert.That(map.CentreLat, Is.EqualTo(30.005).Within(1e-9));
        Assert.That(map.WidthKm, Is.EqualTo(2.889).Within(0.005));

        var elsewhere = map.Districts.Single(d => d.District == "d-elsewhere");
        Assert.That((elsewhere.Placed, elsewhere.Worst), Is.EqualTo(("grid", (AlertSeverity?)AlertSeverity.Medium)));
        Assert.That(elsewhere.Y, Is.GreaterThan(d01.Y + d01.Height), "a district without coordinates goes below the located ones");
        Assert.That(map.HeightKm, Is.GreaterThanOrEqualTo(elsewhere.Y + elsewhere.Height - 0.001));

        var device = map.Devices.Single();
        Assert.That((device.Id, device.Severity), Is.EqualTo(("e1", AlertSeverity.Critical)), "one mark per device, its worst alert");
        Assert.That(device.X, Is.EqualTo(1.926).Within(0.005));
        Assert.That(device.Y, Is.EqualTo(1.112).Within(0.005));
    }

    [Test]
    public void Build_NoCoordinatesAnywhere_SquareGridInNameOrder()
    {
        var places = DistrictPlaces.Measure([At("a", "north", null, null)]);
        IReadOnlyList<DistrictAlerts> alerts = [new("south", 0, 0, 0, 1, 1, 0, 0, 0), new("east", 1, 0, 0, 0, 1, 0, 0, 0)];

        var map = CityMap.Build(places, alerts, [], _ => null);
        var again = CityMap.Build(places, alerts, [], _ => null);

        Assert.That(map.Districts.Select(d => (d.District, d.X, d.Y)), Is.EqualTo(new[] { ("east", 0.0, 0.0), ("north", 1.1, 0.0), ("south", 0.0, 1.1) }));
        Assert.That(map.Districts.Select(d => d.Placed), Is.All.EqualTo("grid"));
        Assert.That(map.Districts.Select(d => d.Worst), Is.EqualTo(new AlertSeverity?[] { AlertSeverity.Critical, null, AlertSeverity.Low }));
        Assert.That((map.WidthKm, map.HeightKm, map.CentreLat), Is.EqualTo((2.1, 2.1, (double?)null)));
        Assert.That(again.Districts, Is.EqualTo(map.Districts), "the same districts land in the same cells");
    }
}
