namespace Sensing.Simulators.Fleet;

/// <summary>Shape of a simulated fleet.</summary>
public sealed record FleetOptions
{
    /// <summary>A small city for development: 2,000 devices, one methane leak.</summary>
    public static FleetOptions Default { get; } = new();

    /// <summary>Number of devices.</summary>
    public int Devices { get; init; } = 2_000;

    /// <summary>Number of districts the devices are spread over.</summary>
    public int Districts { get; init; } = 8;

    /// <summary>Seconds between two readings of one device (simulated devices report faster than real ones).</summary>
    public double ReportIntervalSeconds { get; init; } = 5;

    /// <summary>Seed: the same seed gives the same fleet, readings and incidents.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public FleetOptions Validate()
    {
        if (Devices is < 1 or > 250_000)
        {
            throw new ArgumentException("fleet.devices: must be 1-250000");
        }

        if (Districts is < 1 or > 1000)
        {
            throw new ArgumentException("fleet.districts: must be 1-1000");
        }

        if (ReportIntervalSeconds is < 0.05 or > 86_400)
        {
            throw new ArgumentException("fleet.reportIntervalSeconds: must be 0.05-86400");
        }

        return this;
    }
}
