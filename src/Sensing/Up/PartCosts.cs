using System.Diagnostics;

namespace Sensing.Up;

/// <summary>
/// What each kind of part cost while the city was steady: CPU time between the moment every shard published and the
/// end of publishing, per 1,000 readings acknowledged in that time, and memory (peak resident set; for the gateways
/// also resident bytes per device connection, sampled while every gateway is loaded).
/// </summary>
public sealed class PartCosts(IReadOnlyList<PartProcess> parts)
{
    private readonly Dictionary<PartProcess, TimeSpan> _steadyCpu = [];
    private readonly Dictionary<PartProcess, TimeSpan> _endCpu = [];
    private readonly Stopwatch _window = new();
    private long _steadyAcked;
    private long _endAcked;

    /// <summary>True once the steady window has begun.</summary>
    public bool SteadyTaken => _window.IsRunning || _endCpu.Count > 0;

    /// <summary>Gateways' resident bytes per device connection while all of them were loaded; 0 when not sampled.</summary>
    public double GatewayBytesPerConnection { get; private set; }

    /// <summary>Readings acknowledged in the steady window.</summary>
    public long Readings => _endAcked - _steadyAcked;

    /// <summary>Length of the steady window.</summary>
    public TimeSpan Window => _window.Elapsed;

    /// <summary>Reads every part's CPU time and peak memory now, so a part that exits keeps its last figures.</summary>
    public void Sample()
    {
        foreach (var part in parts)
        {
            _ = part.CpuTime;
            _ = part.PeakResidentBytes;
        }
    }

    /// <summary>Starts the steady window.</summary>
    public void TakeSteady(long acked)
    {
        foreach (var part in parts)
        {
            _steadyCpu[part] = part.CpuTime;
        }

        _steadyAcked = acked;
        _window.Start();
    }

    /// <summary>Ends the steady window.</summary>
    public void TakeEnd(long acked)
    {
        if (!_window.IsRunning)
        {
            TakeSteady(acked);
        }

        _window.Stop();
        foreach (var part in parts)
        {
            _endCpu[part] = part.CpuTime;
        }

        _endAcked = acked;
    }

    /// <summary>Samples the gateways' resident memory against the <paramref name="connections"/> they hold.</summary>
    public void TakeGatewayMemory(long connections)
    {
        var bytes = parts.Where(p => p.Kind == "gateway" && !p.HasExited).Sum(p => p.ResidentBytes);
        GatewayBytesPerConnection = connections > 0 ? bytes / (double)connections : 0;
    }

    /// <summary>Per kind: processes, CPU seconds in the window, CPU seconds per 1,000 readings, cores used, highest peak RSS.</summary>
    public IReadOnlyList<KindCost> ByKind() =>
    [
        .. parts.GroupBy(p => p.Kind).Select(g =>
        {
            var cpu = g.Sum(p => (_endCpu.GetValueOrDefault(p) - _steadyCpu.GetValueOrDefault(p)).TotalSeconds);
            return new KindCost(g.Key, g.Count(), cpu, Readings > 0 ? cpu * 1000 / Readings : 0,
                Window > TimeSpan.Zero ? cpu / Window.TotalSeconds : 0, g.Max(p => p.PeakResidentBytes));
        }),
    ];
}

/// <summary>One kind of part's cost over the steady window.</summary>
/// <param name="Kind">gateway, processor, feed or simulator.</param>
/// <param name="Processes">How many processes of the kind ran.</param>
/// <param name="CpuSeconds">CPU time of all of them in the window.</param>
/// <param name="CpuSecondsPer1000Readings">That per 1,000 readings acknowledged in the window.</param>
/// <param name="Cores">Cores used on average in the window.</param>
/// <param name="PeakResidentBytes">The highest peak resident set of one process of the kind.</param>
public sealed record KindCost(string Kind, int Processes, double CpuSeconds, double CpuSecondsPer1000Readings, double Cores, long PeakResidentBytes);
