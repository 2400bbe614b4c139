namespace Sensing.LocalServers;

/// <summary>How <see cref="LocalVictoriaMetrics"/> starts a VictoriaMetrics single-node server.</summary>
public sealed record LocalVictoriaMetricsOptions
{
    /// <summary>Defaults: a free port, a fresh temp folder, 100 years of retention.</summary>
    public static LocalVictoriaMetricsOptions Default { get; } = new();

    /// <summary>The victoria-metrics executable; null: victoria-metrics on PATH (/usr/bin, from apt).</summary>
    public string? Executable { get; init; }

    /// <summary>
    /// Folder for data and logs. Null: a fresh temp folder, removed on dispose unless
    /// SENSING_KEEP_SERVER_DIRS=1. A folder given here is never removed, and its data is reused.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The HTTP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// -retentionPeriod. VictoriaMetrics silently drops points older than this, so tests that write
    /// points with old event times need a long one.
    /// </summary>
    public string RetentionPeriod { get; init; } = "100y";

    /// <summary>More command-line flags, e.g. "-search.latencyOffset=0s" to query points at once.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long a start may take before it fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a graceful stop (which flushes buffered points) may take before the server is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives progress lines; null for none.</summary>
    public Action<string>? Log { get; init; }
}
