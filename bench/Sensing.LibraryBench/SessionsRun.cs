using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sensing.LibraryBench;

/// <summary>
/// Many simulated-device sessions in this one process, through one client implementation: SESSIONS connections
/// spread over TARGETS (host:port,...), MQTT 3.1.1, each publishing one QoS 1 reading every INTERVAL seconds for
/// DURATION seconds. Prints memory per open session (RSS and managed heap over the process before connecting) and
/// CPU per acknowledged message while publishing. bench/sim-clients.sh runs it for both clients side by side.
/// </summary>
internal static class SessionsRun
{
    private const int ConnectConcurrency = 256;
    private const int TicksPerSecond = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var client = args[0];
        var targets = args[1].Split(',').Select(t => (Host: t[..t.LastIndexOf(':')], Port: int.Parse(t[(t.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))).ToArray();
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var interval = int.Parse(args[3], CultureInfo.InvariantCulture);
        var duration = int.Parse(args[4], CultureInfo.InvariantCulture);
        Func<int, ISimSession> create = client switch
        {
            "handwritten" => _ => new HandwrittenSession(),
            "mqttnet" => _ => new MqttNetSession(),
            _ => throw new ArgumentException("client is handwritten or mqttnet"),
        };

        var process = Process.GetCurrentProcess();
        var (rss0, heap0) = Memory(process);
        var sessions = new ISimSession?[count];
        var cpuConnect0 = process.TotalProcessorTime;
        var connectWatch = Stopwatch.StartNew();
        var failed = 0;
        using (var gate = new SemaphoreSlim(ConnectConcurrency))
        {
            var connects = new Task[count];
            for (var i = 0; i < count; i++)
            {
                await gate.WaitAsync();
                var n = i;
                connects[i] = Task.Run(async () =>
                {
                    try
                    {
                        var session = create(n);
                        var (host, port) = targets[n % targets.Length];
                        await session.ConnectAsync(host, port, "sim-" + n.ToString("D6", CultureInfo.InvariantCulture));
                        sessions[n] = session;
                    }
                    catch (Exception e)
                    {
                        if (Interlocked.Increment(ref failed) <= 3)
                        {
                            Console.Error.WriteLine($"session {n}: {e.GetType().Name}: {e.Message}");
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                });
            }

            await Task.WhenAll(connects);
        }

        connectWatch.Stop();
        process.Refresh();
        var cpuConnect = (process.TotalProcessorTime - cpuConnect0).TotalMilliseconds;
        var connected = count - failed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var (rss1, heap1) = Memory(process);
        Console.WriteLine($"{client}: {connected} of {count} sessions open in {connectWatch.Elapsed.TotalSeconds:F1} s; RSS {rss1 / 1048576.0:F0} MB, heap {heap1 / 1048576.0:F0} MB");

        // Publishing: every session once per interval, spread over the interval's ticks.
        long acked = 0, refused = 0;
        var slots = interval * TicksPerSecond;
        var seq = new int[count];
        var inflight = new List<Task>(count);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var ticks = duration * TicksPerSecond;
        for (var tick = 0; tick < ticks; tick++)
        {
            for (var i = tick % slots; i < count; i += slots)
            {
                if (sessions[i] is not { } session)
                {
                    continue;
                }

                var payload = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{++seq[i]},\"lel\":1.5}}"));
                inflight.Add(Publish(session, payload));
            }

            var next = TimeSpan.FromSeconds((tick + 1.0) / TicksPerSecond) - watch.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        await Task.WhenAll(inflight);
        watch.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
        var (rss2, _) = Memory(process);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result client={client} sessions={connected} failed={failed} rss_per_session_kb={(rss1 - rss0) / 1024.0 / Math.Max(1, connected):F1} " +
            $"heap_per_session_kb={(heap1 - heap0) / 1024.0 / Math.Max(1, connected):F1} rss_mb={rss1 / 1048576.0:F0} rss_after_publish_mb={rss2 / 1048576.0:F0} " +
            $"connect_cpu_ms_per_1k_sessions={cpuConnect / Math.Max(1, connected) * 1000:F0} acked={acked} refused={refused} " +
            $"rate={acked / watch.Elapsed.TotalSeconds:F0} cpu_us_per_msg={cpu * 1000 / Math.Max(1, acked):F1} cores={cpu / watch.Elapsed.TotalMilliseconds:F2}"));

        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(sessions.Where(s => s is not null).Select(s => s!.CloseAsync())).WaitAsync(closing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return failed == 0 ? 0 : 1;

        async Task Publish(ISimSession session, byte[] payload)
        {
            try
            {
                await session.PublishAsync(payload);
                Interlocked.Increment(ref acked);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref refused);
            }
        }
    }

    private static (long Rss, long Heap) Memory(Process process)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }
}
