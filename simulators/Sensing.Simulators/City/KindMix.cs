using System.Globalization;
using Sensing.Core.Devices;

namespace Sensing.Simulators.City;

/// <summary>
/// The share of each device kind in a city. The default follows the proportions of DOMAIN.md's city (gas meters
/// and chargers dominate; water, reservoir and rain sensors are a few percent). Counts are derived by largest
/// remainder, then raised so every district has its inlet flow meter and at least two pressure sensors.
/// </summary>
public sealed record KindMix
{
    /// <summary>
    /// DOMAIN.md proportions: 66 % gas meters, 20 % chargers, 8 % methane detectors, 4.5 % pressure, 0.75 % flow, 0.25 %
    /// reservoirs, 0.5 % rain gauges; then fire-safety devices as relative weights on top (docs/fire.md): 3 % NB-IoT smoke
    /// alarms, 1 % electrical fire detectors, 0.6 % fire-water pressure sensors.
    /// </summary>
    public static KindMix Default { get; } = new(new Dictionary<DeviceKind, double>
    {
        [DeviceKind.GasMeter] = 0.66,
        [DeviceKind.EvCharger] = 0.20,
        [DeviceKind.MethaneDetector] = 0.08,
        [DeviceKind.WaterPressure] = 0.045,
        [DeviceKind.WaterFlow] = 0.0075,
        [DeviceKind.ReservoirLevel] = 0.0025,
        [DeviceKind.RainGauge] = 0.005,
        [DeviceKind.SmokeAlarm] = 0.03,
        [DeviceKind.ElectricalFireDetector] = 0.01,
        [DeviceKind.FireWaterPressure] = 0.006,
    });

    /// <summary>Creates a mix; shares are relative weights (they need not sum to 1).</summary>
    public KindMix(IReadOnlyDictionary<DeviceKind, double> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        foreach (var (kind, share) in shares)
        {
            if (kind == DeviceKind.Unknown || !(share >= 0) || double.IsInfinity(share))
            {
                throw new ArgumentException($"mix: share of '{kind.Name()}' must be a finite number >= 0, was {share}");
            }
        }

        if (!shares.Values.Any(s => s > 0))
        {
            throw new ArgumentException("mix: at least one kind needs a share above 0");
        }

        Shares = shares;
    }

    /// <summary>Relative weight of each kind.</summary>
    public IReadOnlyDictionary<DeviceKind, double> Shares { get; }

    /// <summary>
    /// Parses <c>gas-meter=0.66,ev-charger=0.2,...</c>; kinds left out get no devices. A bad item throws naming it.
    /// </summary>
    public static KindMix Parse(string text)
    {
        var shares = new Dictionary<DeviceKind, double>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || !DeviceKinds.TryParse(item.AsSpan(0, eq).Trim(), out var kind) || kind == DeviceKind.Concentrator
                || !double.TryParse(item.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var share))
            {
                throw new ArgumentException($"mix: '{item}' is not kind=share (kinds: {string.Join(", ", DeviceKinds.All.ToArray().Select(k => k.Name()))})");
            }

            shares[kind] = share;
        }

        return new KindMix(shares);
    }

    /// <summary>Device count per kind for a city of <paramref name="devices"/> devices over <paramref name="districts"/> districts.</summary>
    public Dictionary<DeviceKind, int> Counts(int devices, int districts)
    {
        var total = Shares.Values.Sum();
        var counts = new Dictionary<DeviceKind, int>();
        var remainders = new List<(DeviceKind Kind, double Remainder)>();
        var assigned = 0;
        foreach (var kind in DeviceKinds.All)
        {
            var exact = devices * Shares.GetValueOrDefault(kind) / total;
            counts[kind] = (int)Math.Floor(exact);
            assigned += counts[kind];
            remainders.Add((kind, exact - Math.Floor(exact)));
        }

        foreach (var (kind, _) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Kind).Take(devices - assigned))
        {
            counts[kind]++;
        }

        // The water network needs one inlet meter per district and a far-end plus a network pressure sensor each.
        counts[DeviceKind.WaterFlow] = Math.Max(counts[DeviceKind.WaterFlow], districts);
        counts[DeviceKind.WaterPressure] = Math.Max(counts[DeviceKind.WaterPressure], 2 * districts);
        return counts;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(',', Shares.Where(s => s.Value > 0).Select(s => s.Key.Name() + "=" + s.Value.ToString(CultureInfo.InvariantCulture)));
}
