using Sensing.Core.Devices;

namespace Sensing.Simulators.City;

/// <summary>The shape of a simulated city: size, kind mix, districts, reporting and delivery behaviour, seed.</summary>
public sealed record CityOptions
{
    /// <summary>A small city of 2,000 devices over 8 districts, real reporting intervals, seed 42.</summary>
    public static CityOptions Default { get; } = new();

    /// <summary>Number of devices (the water network's minimum of 3 per district comes on top when the mix is short of it).</summary>
    public int Devices { get; init; } = 2_000;

    /// <summary>Water-network districts; each has one inlet flow meter, pressure sensors and meters downstream of it.</summary>
    public int Districts { get; init; } = 8;

    /// <summary>Share of each kind.</summary>
    public KindMix Mix { get; init; } = KindMix.Default;

    /// <summary>Seed: the same options give the same devices, readings and incidents.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Nominal reporting interval per kind, seconds (DOMAIN.md: gas meters 15 min - 1 h, detectors 10-60 s, ...).</summary>
    public IReadOnlyDictionary<DeviceKind, int> ReportSeconds { get; init; } = new Dictionary<DeviceKind, int>
    {
        [DeviceKind.GasMeter] = 900,
        [DeviceKind.MethaneDetector] = 30,
        [DeviceKind.EvCharger] = 60,
        [DeviceKind.WaterPressure] = 120,
        [DeviceKind.WaterFlow] = 120,
        [DeviceKind.ReservoirLevel] = 600,
        [DeviceKind.RainGauge] = 600,
        [DeviceKind.SmokeAlarm] = 14_400,
        [DeviceKind.ElectricalFireDetector] = 300,
        [DeviceKind.FireWaterPressure] = 300,
    };

    /// <summary>When set, every kind reports at this interval, seconds (short demonstration runs).</summary>
    public int? ReportSecondsOverride { get; init; }

    /// <summary>
    /// Offset of the city's local time from UTC; demand, charging sessions and showers follow the local clock.
    /// Default +08:00 (China Standard Time, the city DOMAIN.md describes).
    /// </summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Latitude of the city centre, WGS 84 degrees: the districts are laid out around it (<see cref="DistrictSizeKm"/>).
    /// Default 30.2741 (Hangzhou, a city in the zone of <see cref="UtcOffset"/>).
    /// </summary>
    public double CentreLatitude { get; init; } = 30.2741;

    /// <summary>Longitude of the city centre, WGS 84 degrees. Default 120.1551.</summary>
    public double CentreLongitude { get; init; } = 120.1551;

    /// <summary>
    /// Side of one district's square on the city grid, km: the districts fill a square grid around the centre, row
    /// by row from the north-west, and every device gets a place inside its district's square. Default 1.5 km (100
    /// districts make a city 15 km across).
    /// </summary>
    public double DistrictSizeKm { get; init; } = 1.5;

    /// <summary>Each interval varies uniformly by up to this fraction either way. Default 0.1.</summary>
    public double Jitter { get; init; } = 0.1;

    /// <summary>Kinds that keep a persistent MQTT session; the others connect, publish and disconnect (NB-IoT style).</summary>
    public IReadOnlySet<DeviceKind> PersistentKinds { get; init; } = new HashSet<DeviceKind>
    {
        DeviceKind.EvCharger, DeviceKind.MethaneDetector, DeviceKind.WaterPressure, DeviceKind.WaterFlow,
    };

    /// <summary>
    /// Kinds that reach the gateway through their district's concentrator (the third connection mode, docs/gateway.md
    /// "Concentrators") in the districts that have one (<see cref="ConcentratorDistrictShare"/>). Default: gas meters,
    /// as utilities read meters through a concentrator per district.
    /// </summary>
    public IReadOnlySet<DeviceKind> ConcentratorKinds { get; init; } = new HashSet<DeviceKind> { DeviceKind.GasMeter };

    /// <summary>
    /// Share of the districts, the first ones (d01, d02, ...), with a concentrator that publishes the readings of their
    /// <see cref="ConcentratorKinds"/> devices in batches; 0 for none. Default 0.25 (2 of 8 districts).
    /// </summary>
    public double ConcentratorDistrictShare { get; init; } = 0.25;

    /// <summary>Number of districts with a concentrator.</summary>
    public int ConcentratorDistricts => (int)Math.Round(ConcentratorDistrictShare * Districts, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Share of devices that send the compact binary reading (first byte 0xB1, see docs/gateway.md) instead of JSON.
    /// Default 0.2.
    /// </summary>
    public double BinaryShare { get; init; } = 0.2;

    /// <summary>Fraction of readings delivered twice (same sequence number). Default 0.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Fraction of readings delivered after the device's next one. Default 0.</summary>
    public double OutOfOrderRate { get; init; }

    /// <summary>The reporting interval of <paramref name="kind"/>, seconds.</summary>
    public int IntervalSeconds(DeviceKind kind) => ReportSecondsOverride ?? ReportSeconds.GetValueOrDefault(kind, 300);

    /// <summary>Checks the options; throws naming the bad one.</summary>
    public CityOptions Validate()
    {
        if (Devices is < 1 or > 250_000)
        {
            throw new ArgumentException($"devices: must be 1-250000, was {Devices}");
        }

        if (Districts < 1 || Districts > Math.Max(1, Devices / 3))
        {
            throw new ArgumentException($"districts: must be 1-{Math.Max(1, Devices / 3)} (3 water devices per district), was {Districts}");
        }

        if (ReportSecondsOverride is < 1 or > 86_400 || ReportSeconds.Values.Any(s => s is < 1 or > 86_400))
        {
            throw new ArgumentException("report interval: must be 1-86400 s");
        }

        if (UtcOffset < TimeSpan.FromHours(-14) || UtcOffset > TimeSpan.FromHours(14))
        {
            throw new ArgumentException($"utc offset: must be within +-14 h, was {UtcOffset}");
        }

        if (Jitter is < 0 or >= 1)
        {
            throw new ArgumentException($"jitter: must be in [0, 1), was {Jitter}");
        }

        if (BinaryShare is < 0 or > 1)
        {
            throw new ArgumentException($"binary share: must be in [0, 1], was {BinaryShare}");
        }

        if (ConcentratorDistrictShare is < 0 or > 1)
        {
            throw new ArgumentException($"concentrator district share: must be in [0, 1], was {ConcentratorDistrictShare}");
        }

        if (ConcentratorKinds.Contains(DeviceKind.Concentrator) || ConcentratorKinds.Contains(DeviceKind.Unknown))
        {
            throw new ArgumentException("concentrator kinds: must be device kinds that report readings");
        }

        if (DuplicateRate is < 0 or > 0.5 || OutOfOrderRate is < 0 or > 0.5)
        {
            throw new ArgumentException("duplicate and out-of-order rates: must be in [0, 0.5]");
        }

        return this;
    }
}
