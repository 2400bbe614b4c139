using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.Feed;

/// <summary>
/// The body of <c>GET /api/map</c>: the districts laid out on a plane in kilometres (x east, y south, from the
/// north-west corner of the located districts), each with its worst active severity, and the devices with an active
/// alert. Districts with coordinates in the registry are placed where their devices are (an equirectangular
/// projection, exact enough across a city); districts without any (not in the registry, or no coordinates there) get
/// cells of a grid in name order below them, so the map works for every city and the same districts always land in
/// the same cells.
/// </summary>
public static class CityMap
{
    /// <summary>Devices with an active alert shown at most; the worst come first.</summary>
    public const int MaxDevices = 2_000;

    // Kilometres per degree of latitude (WGS 84 mean).
    private const double KmPerDegreeLatitude = 111.2;

    // A district with one located device, or all on a line, still gets a box this wide (km) to click.
    private const double MinSideKm = 0.2;

    // Side of a grid cell without any located district to take the size from, km.
    private const double DefaultCellKm = 1.0;

    // Grid cells are this much larger than the district drawn in them, so neighbours do not touch.
    private const double CellGap = 1.1;

    /// <summary>Lays out <paramref name="places"/> and the districts of <paramref name="alerts"/>, with <paramref name="deviceAlerts"/> on it.</summary>
    /// <param name="places">The registry's districts.</param>
    /// <param name="alerts">Active alerts per district (<see cref="AlertBoard.Districts"/>).</param>
    /// <param name="deviceAlerts">Active, unshelved alerts, worst first; those of a located device are drawn.</param>
    /// <param name="findDevice">The registry entry of a device id, or null.</param>
    public static CityMapView Build(DistrictPlaces places, IReadOnlyList<DistrictAlerts> alerts, IEnumerable<AlertSummary> deviceAlerts,
        Func<string, DeviceInfo?> findDevice)
    {
        ArgumentNullException.ThrowIfNull(places);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(deviceAlerts);
        ArgumentNullException.ThrowIfNull(findDevice);
        var byName = alerts.ToDictionary(a => a.District, StringComparer.Ordinal);
        var names = places.Districts.Keys.Union(byName.Keys, StringComparer.Ordinal).Where(n => n.Length != 0).Order(StringComparer.Ordinal).ToList();
        var located = names.Select(n => places.Districts.GetValueOrDefault(n)?.Box).OfType<GeoBox>().ToList();

        var projection = located.Count == 0 ? null : Projection.Around(located);
        var districts = new List<MapDistrict>(names.Count);
        var widthKm = projection?.WidthKm ?? 0;
        var heightKm = projection?.HeightKm ?? 0;
        var unplaced = new List<string>();
        foreach (var name in names)
        {
            var place = places.Districts.GetValueOrDefault(name);
            if (projection is null || place?.Box is not { } box)
            {
                unplaced.Add(name);
                continue;
            }

            var (x0, y0) = projection.ToKm(box.MaxLatitude, box.MinLongitude);
            var (x1, y1) = projection.ToKm(box.MinLatitude, box.MaxLongitude);
            var (cx, cy) = projection.ToKm(box.Latitude, box.Longitude);
            var (x, width) = x1 - x0 >= MinSideKm ? (x0, x1 - x0) : (cx - (MinSideKm / 2), MinSideKm);
            var (y, height) = y1 - y0 >= MinSideKm ? (y0, y1 - y0) : (cy - (MinSideKm / 2), MinSideKm);
            districts.Add(District(name, "registry", x, y, width, height, box, place.Devices, byName.GetValueOrDefault(name)));
        }

        if (unplaced.Count != 0)
        {
            var sides = districts.Select(d => Math.Max(d.Width, d.Height)).Order().ToList();
            var cell = sides.Count == 0 ? DefaultCellKm : sides[sides.Count / 2];
            var step = cell * CellGap;
            var columns = sides.Count == 0
                ? (int)Math.Ceiling(Math.Sqrt(unplaced.Count))
                : Math.Max(1, (int)Math.Floor((widthKm + (step - cell)) / step));
            var top = sides.Count == 0 ? 0 : heightKm + (cell / 2);
            for (var i = 0; i < unplaced.Count; i++)
            {
                var name = unplaced[i];
                districts.Add(District(name, "grid", (i % columns) * step, top + ((i / columns) * step), cell, cell, null,
                    places.Districts.GetValueOrDefault(name)?.Devices ?? 0, byName.GetValueOrDefault(name)));
            }

            var rows = (unplaced.Count + columns - 1) / columns;
            widthKm = Math.Max(widthKm, (columns * step) - (step - cell));
            heightKm = top + (rows * step) - (step - cell);
        }

        districts.Sort((a, b) => string.CompareOrdinal(a.District, b.District));
        var devices = new List<MapDevice>();
        var drawn = new HashSet<string>(StringComparer.Ordinal);
        var leftOut = 0;
        if (projection is not null)
        {
            foreach (var alert in deviceAlerts)
            {
                if (drawn.Contains(alert.Source) || findDevice(alert.Source) is not { Latitude: { } latitude, Longitude: { } longitude })
                {
                    continue;
                }

                if (devices.Count == MaxDevices)
                {
                    leftOut++;
                    continue;
                }

                drawn.Add(alert.Source);
                var (x, y) = projection.ToKm(latitude, longitude);
                devices.Add(new MapDevice(alert.Source, alert.District, Round(x), Round(y), alert.Severity, alert.Condition, alert.Id));
            }
        }

        return new CityMapView(Round(widthKm), Round(heightKm), projection?.Centre.Latitude, projection?.Centre.Longitude, districts, devices, leftOut);
    }

    private static MapDistrict District(string name, string placed, double x, double y, double width, double height, GeoBox? box, int devices, DistrictAlerts? alerts)
    {
        AlertSeverity? worst = alerts switch
        {
            { Critical: > 0 } => AlertSeverity.Critical,
            { High: > 0 } => AlertSeverity.High,
            { Medium: > 0 } => AlertSeverity.Medium,
            { Low: > 0 } => AlertSeverity.Low,
            _ => null,
        };
        return new MapDistrict(name, placed, Round(x), Round(y), Round(width), Round(height), box?.Latitude, box?.Longitude, devices, worst,
            alerts?.Critical ?? 0, alerts?.High ?? 0, alerts?.Medium ?? 0, alerts?.Low ?? 0);
    }

    // Metres are plenty on a console map.
    private static double Round(double km) => Math.Round(km, 3);

    private sealed class Projection
    {
        private readonly double _north;
        private readonly double _west;
        private readonly double _kmPerDegreeLongitude;

        private Projection(double north, double west, double south, double east)
        {
            _north = north;
            _west = west;
            Centre = ((north + south) / 2, (west + east) / 2);
            _kmPerDegreeLongitude = KmPerDegreeLatitude * Math.Cos(Centre.Latitude * Math.PI / 180);
            WidthKm = (east - west) * _kmPerDegreeLongitude;
            HeightKm = (north - south) * KmPerDegreeLatitude;
        }

        public (double Latitude, double Longitude) Centre { get; }

        public double WidthKm { get; }

        public double HeightKm { get; }

        public static Projection Around(List<GeoBox> boxes) =>
            new(boxes.Max(b => b.MaxLatitude), boxes.Min(b => b.MinLongitude), boxes.Min(b => b.MinLatitude), boxes.Max(b => b.MaxLongitude));

        public (double X, double Y) ToKm(double latitude, double longitude) =>
            ((longitude - _west) * _kmPerDegreeLongitude, (_north - latitude) * KmPerDegreeLatitude);
    }
}

/// <summary>The city map: districts and alerting devices on a plane in km (x east, y south).</summary>
/// <param name="WidthKm">Width of the drawn area, km.</param>
/// <param name="HeightKm">Height of the drawn area, km.</param>
/// <param name="CentreLat">Latitude of the located districts' centre; null when no district has coordinates.</param>
/// <param name="CentreLon">Longitude of the located districts' centre; null when no district has coordinates.</param>
/// <param name="Districts">Every district of the registry and every district with an alert, by name.</param>
/// <param name="Devices">Located devices with an active, unshelved alert, worst first (at most <see cref="CityMap.MaxDevices"/>).</param>
/// <param name="DevicesLeftOut">Located devices with an active alert beyond <see cref="CityMap.MaxDevices"/>.</param>
public sealed record CityMapView(double WidthKm, double HeightKm, double? CentreLat, double? CentreLon,
    IReadOnlyList<MapDistrict> Districts, IReadOnlyList<MapDevice> Devices, int DevicesLeftOut);

/// <summary>One district on the map.</summary>
/// <param name="District">District name.</param>
/// <param name="Placed"><c>registry</c> (from its devices' coordinates) or <c>grid</c> (no coordinates: a cell in name order).</param>
/// <param name="X">West edge, km from the map's west edge.</param>
/// <param name="Y">North edge, km from the map's north edge.</param>
/// <param name="Width">Width, km.</param>
/// <param name="Height">Height, km.</param>
/// <param name="Lat">Centroid latitude of its located devices; null for a grid cell.</param>
/// <param name="Lon">Centroid longitude of its located devices; null for a grid cell.</param>
/// <param name="Devices">Devices in the registry.</param>
/// <param name="Worst">Highest severity of its active, unshelved alerts; null for none.</param>
/// <param name="Critical">Active, unshelved Critical alerts.</param>
/// <param name="High">Active, unshelved High alerts.</param>
/// <param name="Medium">Active, unshelved Medium alerts.</param>
/// <param name="Low">Active, unshelved Low alerts.</param>
public sealed record MapDistrict(string District, string Placed, double X, double Y, double Width, double Height, double? Lat, double? Lon,
    int Devices, AlertSeverity? Worst, int Critical, int High, int Medium, int Low);

/// <summary>A located device with an active alert (its worst one when it has several).</summary>
/// <param name="Id">Device id.</param>
/// <param name="District">Its district.</param>
/// <param name="X">km from the map's west edge.</param>
/// <param name="Y">km from the map's north edge.</param>
/// <param name="Severity">The alert's severity.</param>
/// <param name="Condition">The alert's condition.</param>
/// <param name="AlertId">The alert.</param>
public sealed record MapDevice(string Id, string District, double X, double Y, AlertSeverity Severity, string Condition, string AlertId);
