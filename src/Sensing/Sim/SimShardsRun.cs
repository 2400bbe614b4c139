using System.Diagnostics;
using System.Globalization;
using Sensing.Cli;
using Sensing.Simulators.City;
using Sensing.Simulators.Load;
using Sensing.Simulators.Publishing;
using Spectre.Console;

namespace Sensing.Sim;

/// <summary>
/// <c>sensing sim city --processes N</c>: launches N shard processes (<c>sensing sim city ... --shard i/N</c>, the same
/// options and start, see <see cref="CityShard"/>), sums their status lines into one live line and closes with the
/// summary of the whole city: readings, acknowledgments, errors and the CPU time of every shard.
/// </summary>
public sealed class SimShardsRun(SimCityOptions options, IAnsiConsole console)
{
    /// <summary>How far ahead of now the launcher puts the shared start when none is given, ms (process start and connects).</summary>
    public const long StartupMs = 5_000;

    /// <summary>Runs the shards; returns 0 when every shard exited 0.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var count = options.Processes;
        var latest = new ShardStatus[count];
        var ackLatency = new LatencyHistogram?[count];
        var clock = Stopwatch.StartNew();
        (TimeSpan At, long CpuMs, long Sent)? publishing = null;
        var shards = new Process[count];
        var progress = new PublishProgress(() =>
        {
            var sum = default(PublishSnapshot);
            lock (latest)
            {
                foreach (var status in latest)
                {
                    sum += status.Counters;
                }
            }

            return sum;
        });

        console.MarkupLineInterpolated($"launching {count} shard processes: shard i publishes devices i, i + {count}, i + {2 * count}, ...");
        try
        {
            for (var i = 0; i < count; i++)
            {
                shards[i] = Launch(new CityShard(i, count), latest, ackLatency, () =>
                {
                    // Called under the lock: the moment every shard has connected and started its simulation clock.
                    if (publishing is null && latest.All(s => s.Counters.SimulatedTimeMs != 0))
                    {
                        publishing = (clock.Elapsed, latest.Sum(s => s.CpuMs), latest.Sum(s => s.Counters.Sent));
                    }
                });
            }

            var exits = Task.WhenAll(shards.Select(p => p.WaitForExitAsync(cancellationToken)));
            await progress.ShowWhileAsync(console, exits);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("stopped: ending the shard processes");
        }
        finally
        {
            foreach (var shard in shards)
            {
                if (shard is { HasExited: false })
                {
                    shard.Kill();
                    await shard.WaitForExitAsync(CancellationToken.None);
                }
            }
        }

        ShardStatus[] final;
        lock (latest)
        {
            final = [.. latest];
        }

        // From the moment every shard publishes: the fleet's rate and CPU without process start and connects.
        var (fromAt, fromCpuMs, fromSent) = publishing ?? (TimeSpan.Zero, 0, 0);
        var runSent = Math.Max(1, final.Sum(s => s.Counters.Sent) - fromSent);
        var runCpuMs = final.Sum(s => s.CpuMs) - fromCpuMs;
        var runSeconds = Math.Max(0.001, (clock.Elapsed - fromAt).TotalSeconds);

        var total = final.Aggregate(default(PublishSnapshot), (sum, s) => sum + s.Counters);
        var ack = new LatencyHistogram();
        lock (latest)
        {
            foreach (var shard in ackLatency.OfType<LatencyHistogram>())
            {
                ack.Add(shard);
            }
        }

        var cpuMs = final.Sum(s => s.CpuMs);
        var sent = Math.Max(1, total.Sent);
        var elapsed = progress.Elapsed;
        progress.Summary(console, $"sensing sim city: summary ({count} processes)",
        [
            ("broker", options.Brokers.Count > 1 ? string.Join(", ", options.Brokers) : options.Broker!.ToString()),
            ("speed", $"{options.Speed}x"),
            .. final.Select((s, i) => ($"shard {i}/{count}", string.Create(CultureInfo.InvariantCulture,
                $"{s.Counters.Devices:N0} devices, sent {s.Counters.Sent:N0}, acked {s.Counters.Acked:N0}, errors {s.Counters.Errors:N0}, CPU {s.CpuMs / 1000.0:0.0} s, exit {ExitCode(shards[i])}"))),
            ("simulator CPU (all shards)", $"{cpuMs / 1000.0:0.0} s, {cpuMs * 1000.0 / sent:0.0} us per message"),
            ("PUBLISH to PUBACK p50 / p99 / max (all shards)", SimCityRun.AckLatencyText(ack)),
            ("connections refused (CONNACK code)", $"{total.Refused:N0}"),
            ("once every shard publishes", $"{runSent / runSeconds:N0} msg/s, CPU {runCpuMs / 1000.0:0.0} s, {runCpuMs * 1000.0 / runSent:0.0} us per message"),
        ]);
        // One unwrapped line for scripts and tests (the console would wrap it at the terminal width).
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result processes={count} devices={total.Devices} peak_connected={total.PeakConnected} sent={total.Sent} acked={total.Acked} errors={total.Errors} " +
            $"elapsed_s={elapsed.TotalSeconds:0.0} msg_per_s={total.Sent / Math.Max(0.001, elapsed.TotalSeconds):0} cpu_s={cpuMs / 1000.0:0.0} cpu_us_per_msg={cpuMs * 1000.0 / sent:0.0} " +
            $"run_msg_per_s={runSent / runSeconds:0} run_cpu_us_per_msg={runCpuMs * 1000.0 / runSent:0.0} shard_sent={string.Join(',', final.Select(s => s.Counters.Sent))} " +
            $"refused={total.Refused} ack_p50_ms={ack.Percentile(50) / 1000.0:0.0} ack_p99_ms={ack.Percentile(99) / 1000.0:0.0} ack_max_ms={ack.Max / 1000.0:0.0}"));
        var clean = final.All(s => s.Final) && shards.All(p => p is { HasExited: true, ExitCode: 0 });
        return clean && total.Errors == 0 ? 0 : 1;
    }

    private static string ExitCode(Process? shard) => shard is { HasExited: true } ? shard.ExitCode.ToString(CultureInfo.InvariantCulture) : "-";

    private Process Launch(CityShard shard, ShardStatus[] latest, LatencyHistogram?[] ackLatency, Action onStatus)
    {
        var brokers = options.Brokers.Count == 0 ? options.Broker!.ToString() : string.Join(',', options.Brokers);
        var start = SelfProcess.StartInfo([.. options.ShardArguments, "--broker", brokers, "--shard", shard.ToString(), "--start",
            options.StartMs!.Value.ToString(CultureInfo.InvariantCulture), "--status-lines"]);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"shard {shard}: the process did not start");
        process.OutputDataReceived += (_, e) =>
        {
            if (ShardStatus.TryParse(e.Data, out var status))
            {
                lock (latest)
                {
                    latest[shard.Index] = status;
                    onStatus();
                }
            }
            else if (ShardStatus.TryParseAckLatency(e.Data, out var latency))
            {
                lock (latest)
                {
                    ackLatency[shard.Index] = latency;
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                console.WriteLine($"shard {shard}: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
