using System.Globalization;

namespace Sensing.Cli;

/// <summary>
/// A process's memory on one line every few seconds on stderr, when <c>SENSING_MEMORY_LOG_S</c> names the seconds:
/// resident set (anonymous and file-backed), the GC's heap after the last collection and now (garbage included), what
/// it held committed and its fragmentation at the last collection, the generations' sizes, the thread count and the GC's
/// mode (server, conserve memory, dynamic adaptation and its first generation's growth: percent of the default factor,
/// lowest and highest factor of the stable heap size in permil). For finding where memory goes
/// (bench/gateway-memory.sh); off by default.
/// </summary>
internal sealed class MemoryLog : IDisposable
{
    public const string Variable = "SENSING_MEMORY_LOG_S";

    private readonly string _name;
    private readonly Func<string>? _extra;
    private readonly Timer _timer;
    private readonly string _settings;

    private MemoryLog(string name, TimeSpan every, Func<string>? extra)
    {
        _name = name;
        var gc = GC.GetConfigurationVariables();
        _settings = $"gc_server={gc.GetValueOrDefault("ServerGC")} gc_conserve={gc.GetValueOrDefault("GCConserveMem")} " +
            $"gc_datas={gc.GetValueOrDefault("GCDynamicAdaptationMode")} gc_gen0_growth={gc.GetValueOrDefault("GCDGen0GrowthPercent")}%," +
            $"{gc.GetValueOrDefault("GCDGen0GrowthMinFactor")}-{gc.GetValueOrDefault("GCDGen0GrowthMaxFactor")}permil";
        _extra = extra;
        _timer = new Timer(_ => Write(), null, every, every);
    }

    /// <summary>Starts the log when the variable holds a positive number of seconds; null otherwise.</summary>
    public static MemoryLog? StartIfAsked(string name, Func<string>? extra = null) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? new MemoryLog(name, TimeSpan.FromSeconds(seconds), extra)
            : null;

    public void Dispose() => _timer.Dispose();

    private void Write()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var generations = info.GenerationInfo;
        var sizes = new string[generations.Length];
        for (var i = 0; i < generations.Length; i++)
        {
            sizes[i] = Mb(generations[i].SizeAfterBytes);
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: {_name} rss={Mb(StatusKb("VmRSS") * 1024)} anon={Mb(StatusKb("RssAnon") * 1024)} file={Mb(StatusKb("RssFile") * 1024)} " +
            $"gc_heap={Mb(info.HeapSizeBytes)} gc_heap_now={Mb(GC.GetTotalMemory(false))} gc_committed={Mb(info.TotalCommittedBytes)} gc_fragmented={Mb(info.FragmentedBytes)} " +
            $"gens(0,1,2,loh,poh)={string.Join('/', sizes)} gcs={info.Index} threads={StatusKb("Threads")} {_settings} {_extra?.Invoke()}"));
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + "MB";

    private static long StatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    var value = line.AsSpan(key.Length + 1).Trim();
                    var space = value.IndexOf(' ');
                    return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: the GC's figures only.
        }

        return 0;
    }
}
