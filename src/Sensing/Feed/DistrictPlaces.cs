using System.Runtime.InteropServices;
using Sensing.Core.Devices;

namespace Sensing.Feed;

/// <summary>
/// Where each district of the registry is, from its devices' coordinates: the centroid and the extent (the box around
/// its located devices), and how many devices it has. Made in one pass over the registry (about 20 ms for 190,000
/// devices), when the registry is read and again after it changed, never per request.
/// </summary>
public sealed class DistrictPlaces
{
    /// <summary>No districts known (no registry yet).</summary>
    public static DistrictPlaces Empty { get; } = new([]);

    private DistrictPlaces(Dictionary<string, DistrictPlace> districts) => Districts = districts;

    /// <summary>Every district of the registry by name, with or without coordinates.</summary>
    public IReadOnlyDictionary<string, DistrictPlace> Districts { get; }

    /// <summary>The places of <paramref name="devices"/>' districts (revoked devices count, as they stay in the registry).</summary>
    public static DistrictPlaces Measure(IEnumerable<DeviceInfo> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var sums = new Dictionary<string, Sum>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (device.Kind == DeviceKind.Concentrator)
            {
                continue;
            }

            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, device.District, out var existed);
            if (!existed)
            {
                sum = new Sum { MinLatitude = double.MaxValue, MinLongitude = double.MaxValue, MaxLatitude = double.MinValue, MaxLongitude = double.MinValue };
            }

            sum.Devices++;
            if (device is { Latitude: { } latitude, Longitude: { } longitude })
            {
                sum.Located++;
                sum.Latitude += latitude;
                sum.Longitude += longitude;
                sum.MinLatitude = Math.Min(sum.MinLatitude, latitude);
                sum.MaxLatitude = Math.Max(sum.MaxLatitude, latitude);
                sum.MinLongitude = Math.Min(sum.MinLongitude, longitude);
                sum.MaxLongitude = Math.Max(sum.MaxLongitude, longitude);
            }
        }

        var districts = new Dictionary<string, DistrictPlace>(sums.Count, StringComparer.Ordinal);
        foreach (var (name, s) in sums)
        {
            districts[name] = s.Located == 0
                ? new DistrictPlace(name, s.Devices, 0, null)
                : new DistrictPlace(name, s.Devices, s.Located,
                    new GeoBox(s.Latitude / s.Located, s.Longitude / s.Located, s.MinLatitude, s.MinLongitude, s.MaxLatitude, s.MaxLongitude));
        }

        return new DistrictPlaces(districts);
    }

    private struct Sum
    {
        public int Devices;
        public int Located;
        public double Latitude;
        public double Longitude;
        public double MinLatitude;
        public double MinLongitude;
        public double MaxLatitude;
        public double MaxLongitude;
    }
}

/// <summary>One district of the registry and where its located devices are.</summary>
/// <param name="District">District name.</param>
/// <param name="Devices">Devices registered in it (concentrators aside).</param>
/// <param name="Located">Devices of it with coordinates.</param>
/// <param name="Box">Centroid and extent of its located devices; null when none has coordinates.</param>
public sealed record DistrictPlace(string District, int Devices, int Located, GeoBox? Box);

/// <summary>A centroid and the box around a set of points, WGS 84 degrees.</summary>
/// <param name="Latitude">Mean latitude.</param>
/// <param name="Longitude">Mean longitude.</param>
/// <param name="MinLatitude">Southern edge.</param>
/// <param name="MinLongitude">Western edge.</param>
/// <param name="MaxLatitude">Northern edge.</param>
/// <param name="MaxLongitude">Eastern edge.</param>
public readonly record struct GeoBox(double Latitude, double Longitude, double MinLatitude, double MinLongitude, double MaxLatitude, double MaxLongitude);
