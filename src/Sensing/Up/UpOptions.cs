namespace Sensing.Up;

/// <summary>Settings of <c>sensing up</c>.</summary>
public sealed record UpOptions
{
    /// <summary>Defaults: 2,000 devices for 75 seconds.</summary>
    public static UpOptions Default { get; } = new();

    /// <summary>Simulated devices.</summary>
    public int Devices { get; init; } = 2_000;

    /// <summary>How long the fleet publishes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Seconds between two readings of one device.</summary>
    public double ReportIntervalSeconds { get; init; } = 5;

    /// <summary>Keep servers, gateway, processor and feed running after the summary until Ctrl+C.</summary>
    public bool KeepRunning { get; init; }

    /// <summary>Seed of the fleet and its incidents.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public UpOptions Validate()
    {
        if (Devices is < 50 or > 50_000)
        {
            throw new ArgumentException("--devices: must be 50-50000 on one machine (a smaller city has no room for its incidents)");
        }

        // The injected leak needs ~60 s of event time to rise, hold, fall and clear after its off-delay.
        if (Duration < TimeSpan.FromSeconds(20))
        {
            throw new ArgumentException("--duration: must be at least 20 seconds (the injected leak needs time to rise)");
        }

        return this;
    }
}
