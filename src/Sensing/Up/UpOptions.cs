using Sensing.Rules;
using Sensing.Simulators.Incidents;

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

    /// <summary>The processor's rules (<c>--rules</c>, watched for changes while the city runs), or null for the defaults.</summary>
    public RuleSet? Rules { get; init; }

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public UpOptions Validate()
    {
        if (Devices is < 50 or > 50_000)
        {
            throw new ArgumentException("--devices: must be 50-50000 on one machine (a smaller city has no room for its incidents)");
        }

        if (!(ReportIntervalSeconds >= 1 && ReportIntervalSeconds <= 3_600))
        {
            throw new ArgumentException($"--interval: must be 1-3600 seconds, was {ReportIntervalSeconds}");
        }

        // The injected leak (methane to level 2) needs a few readings of its detector inside its window of the run.
        var interval = (int)Math.Ceiling(ReportIntervalSeconds);
        if (Duration < TimeSpan.FromSeconds(20) || !IncidentPlan.FitsShortRun(IncidentKind.MethaneLevel2, interval, Duration))
        {
            var least = Enumerable.Range(20, 100_000).First(s => IncidentPlan.FitsShortRun(IncidentKind.MethaneLevel2, interval, TimeSpan.FromSeconds(s)));
            throw new ArgumentException(
                $"--duration: must be at least {least} seconds with --interval {ReportIntervalSeconds} (the injected leak needs four readings of its detector), was {Duration.TotalSeconds:0}");
        }

        return this;
    }
}
