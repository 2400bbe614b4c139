using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Sensing.Simulators.Load;
using Sensing.Simulators.Publishing;

namespace Sensing.Sim;

/// <summary>
/// The line a shard process prints every second for the process that launched it (<c>sensing sim city --processes</c>):
/// <c>status devices=N connected=N peak=N sent=N acked=N errors=N duplicates=N drops=N reconnects=N offline=N unacked=N refused=N
/// simtime=MS ack_p50_us=N ack_p99_us=N ack_max_us=N cpu_ms=N final=0|1</c> (the <c>ack_</c> figures: PUBLISH to PUBACK so far).
/// The last line has <c>final=1</c> and the process's CPU time for the whole run; just before it comes
/// <c>acklatency MAX:BUCKET=COUNT,...</c>, the shard's PUBLISH-to-PUBACK histogram, which the launcher adds up over the
/// shards (percentiles of shards cannot be merged, their histograms can).
/// </summary>
/// <param name="Counters">The shard's counters.</param>
/// <param name="CpuMs">CPU time the shard process used since it started publishing, ms (all threads).</param>
/// <param name="Final">True on the line written after the run ended.</param>
public readonly record struct ShardStatus(PublishSnapshot Counters, long CpuMs, bool Final)
{
    private const string Prefix = "status ";

    /// <summary>The start of the line carrying a shard's PUBLISH-to-PUBACK histogram.</summary>
    public const string AckLatencyPrefix = "acklatency ";

    /// <summary>Writes a line every second until <paramref name="run"/> completes, then the final line, then awaits the run.</summary>
    public static async Task WriteWhileAsync(TextWriter output, Task run, PublishCounters counters, Func<TimeSpan> cpu)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(cpu);
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(1000));
            await output.WriteLineAsync(new ShardStatus(counters.Snapshot(), (long)cpu().TotalMilliseconds, Final: false) { AckLatency = counters.AckLatency }.ToString());
        }

        try
        {
            await run;
        }
        finally
        {
            await output.WriteLineAsync(AckLatencyPrefix + counters.AckLatency);
            await output.WriteLineAsync(new ShardStatus(counters.Snapshot(), (long)cpu().TotalMilliseconds, Final: true) { AckLatency = counters.AckLatency }.ToString());
            await output.FlushAsync();
        }
    }

    /// <summary>Reads a status line; false for any other line.</summary>
    public static bool TryParse(string? line, out ShardStatus status)
    {
        status = default;
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var field in line.AsSpan(Prefix.Length).ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !long.TryParse(field.AsSpan(eq + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            values[field[..eq]] = value;
        }

        long Get(string name) => values.GetValueOrDefault(name);
        status = new ShardStatus(
            new PublishSnapshot(Get("devices"), Get("connected"), Get("peak"), Get("sent"), Get("acked"), Get("errors"), Get("duplicates"), Get("simtime"))
            {
                Drops = Get("drops"), Reconnects = Get("reconnects"), Offline = Get("offline"), Unacked = Get("unacked"), Refused = Get("refused"),
            },
            Get("cpu_ms"), Get("final") == 1);
        return values.ContainsKey("sent");
    }

    /// <summary>The shard's PUBLISH-to-PUBACK latencies so far (written as percentiles; not read back from the line).</summary>
    public LatencyHistogram? AckLatency { get; init; }

    /// <summary>Reads an <see cref="AckLatencyPrefix"/> line; false for any other line.</summary>
    public static bool TryParseAckLatency(string? line, [NotNullWhen(true)] out LatencyHistogram? histogram)
    {
        histogram = null;
        return line is not null && line.StartsWith(AckLatencyPrefix, StringComparison.Ordinal)
            && LatencyHistogram.TryParse(line.AsSpan(AckLatencyPrefix.Length), out histogram);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var c = Counters;
        var ack = AckLatency;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}devices={c.Devices} connected={c.Connected} peak={c.PeakConnected} sent={c.Sent} acked={c.Acked} errors={c.Errors} duplicates={c.Duplicates} " +
            $"drops={c.Drops} reconnects={c.Reconnects} offline={c.Offline} unacked={c.Unacked} refused={c.Refused} simtime={c.SimulatedTimeMs} " +
            $"ack_p50_us={ack?.Percentile(50) ?? 0} ack_p99_us={ack?.Percentile(99) ?? 0} ack_max_us={ack?.Max ?? 0} cpu_ms={CpuMs} final={(Final ? 1 : 0)}");
    }
}
