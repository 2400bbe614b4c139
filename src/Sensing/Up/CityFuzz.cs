using System.Globalization;
using System.Net;

namespace Sensing.Up;

/// <summary>
/// The fuzzer of a fuzz run (<c>sensing up --fuzz PACKETS</c>): <c>sensing load fuzz</c> as a process of its own, so
/// its CPU is measured apart from the pipeline's, sending its hostile connections to the gateways in turn. It starts
/// once the city is steady and is read back from its <c>result</c> line: packets sent, connections, how the gateways
/// ended them (per case and outcome) and the endings the MQTT specifications do not allow.
/// </summary>
public sealed class CityFuzz
{
    /// <summary>The kind of part of the fuzzer in the run's list of parts and cost table.</summary>
    public const string Kind = "fuzzer";

    // The fuzzer's result line gives its endings as ended_CASE_OUTCOME=N.
    private const string EndedPrefix = "ended_";

    private readonly Dictionary<string, long> _ended = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Dictionary<string, string>? _result;

    private CityFuzz(PartProcess part, long startedAtMs, IReadOnlyList<IPEndPoint> targets)
    {
        Part = part;
        StartedAtMs = startedAtMs;
        Targets = targets;
    }

    /// <summary>The fuzzer's process.</summary>
    public PartProcess Part { get; }

    /// <summary>When it started, Unix ms.</summary>
    public long StartedAtMs { get; }

    /// <summary>When it exited, Unix ms; null while it runs.</summary>
    public long? EndedAtMs { get; private set; }

    /// <summary>The gateways it was sent to.</summary>
    public IReadOnlyList<IPEndPoint> Targets { get; }

    /// <summary>True once its <c>result</c> line arrived.</summary>
    public bool Reported
    {
        get
        {
            lock (_lock)
            {
                return _result is not null;
            }
        }
    }

    /// <summary>Hostile packets sent; -1 before the result line.</summary>
    public long Packets => Figure("packets");

    /// <summary>Hostile connections made (and ended); -1 before the result line.</summary>
    public long Connections => Figure("connections");

    /// <summary>Connections ended in a way the MQTT specifications do not allow for their case; -1 before the result line.</summary>
    public long Unexpected => Figure("unexpected");

    /// <summary>Connects a killed gateway's port refused, made at the next gateway instead; -1 before the result line.</summary>
    public long ConnectsMoved => Figure("moved");

    /// <summary>How the gateways ended the connections: (case, outcome) and how many.</summary>
    public IReadOnlyList<(string Case, string Outcome, long Count)> Endings
    {
        get
        {
            lock (_lock)
            {
                return [.. _ended.Select(e => (e.Key[..e.Key.IndexOf('_', StringComparison.Ordinal)], e.Key[(e.Key.IndexOf('_', StringComparison.Ordinal) + 1)..], e.Value))];
            }
        }
    }

    /// <summary>
    /// Starts <c>sensing load fuzz</c> against <paramref name="targets"/> with the run's fuzz options; its log goes to
    /// <c>fuzzer.log</c> in <paramref name="folder"/>. It runs at the simulator's low priority: like the devices, the
    /// attacker stands for machines out in the city, not on the pipeline's.
    /// </summary>
    public static CityFuzz Start(UpOptions options, string folder, IReadOnlyList<IPEndPoint> targets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(targets);
        CityFuzz? fuzz = null;
        var part = PartProcess.Start(Kind, Kind, folder,
        [
            "load", "fuzz", "--target", string.Join(',', targets), "--packets", options.FuzzPackets.ToString(CultureInfo.InvariantCulture),
            "--concurrency", options.FuzzConcurrency.ToString(CultureInfo.InvariantCulture), "--seed", options.FuzzSeed.ToString(CultureInfo.InvariantCulture),
        ], line => fuzz?.Take(line), niceness: CityRun.SimulatorNiceness);
        fuzz = new CityFuzz(part, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), targets);
        return fuzz;
    }

    /// <summary>Notes the moment the fuzzer exited; called by the run's loop.</summary>
    public void Observe(long nowMs)
    {
        if (EndedAtMs is null && Part.HasExited)
        {
            EndedAtMs = nowMs;
        }
    }

    /// <summary>Reads a line of the fuzzer's standard output; only its <c>result</c> line counts.</summary>
    internal void Take(string line)
    {
        if (!TryParseResult(line, out var fields))
        {
            return;
        }

        lock (_lock)
        {
            _result = fields;
            foreach (var (key, value) in fields)
            {
                if (key.StartsWith(EndedPrefix, StringComparison.Ordinal) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    _ended[key[EndedPrefix.Length..]] = n;
                }
            }
        }
    }

    /// <summary>Splits a <c>result key=value ...</c> line; false for any other line.</summary>
    internal static bool TryParseResult(string line, out Dictionary<string, string> fields)
    {
        fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!line.StartsWith("result ", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[field[..eq]] = field[(eq + 1)..];
            }
        }

        return fields.ContainsKey("packets");
    }

    private long Figure(string key)
    {
        lock (_lock)
        {
            return _result is not null && _result.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;
        }
    }
}
