namespace Sensing.LocalServers;

/// <summary>How <see cref="LocalInfluxDb"/> starts an InfluxDB 1.x server.</summary>
public sealed record LocalInfluxDbOptions
{
    /// <summary>Defaults: free ports, a fresh temp folder, no database created.</summary>
    public static LocalInfluxDbOptions Default { get; } = new();

    /// <summary>The influxd executable; null: influxd on PATH (/usr/bin, from apt).</summary>
    public string? Executable { get; init; }

    /// <summary>
    /// Folder for the config, data and log. Null: a fresh temp folder, removed on dispose unless
    /// SENSING_KEEP_SERVER_DIRS=1. A folder given here is never removed, and its data is reused.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The HTTP port on 127.0.0.1 (/ping, /write, /query); 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Databases created (CREATE DATABASE, which does nothing when one exists) once the server is ready.</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    /// <summary>How long a start may take before it fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a graceful stop (SIGTERM: influxd closes its shards) may take before the server is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives progress lines; null for none.</summary>
    public Action<string>? Log { get; init; }
}
