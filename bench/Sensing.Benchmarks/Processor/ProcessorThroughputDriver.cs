using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensing.Benchmarks.Detection;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Kafka;
using Sensing.LocalServers;

namespace Sensing.Benchmarks.Processor;

/// <summary>
/// Consume-to-alert throughput of the real <c>sensing processor</c> process: starts Kafka 0.9 and VictoriaMetrics,
/// pre-loads <c>sensing.telemetry</c> with a mixed fleet's readings (the same device kinds and values as
/// <see cref="DetectionEngineBenchmarks"/>, a known set of methane detectors in a standing alarm), then starts the
/// processor and polls its committed offsets until the lag is zero. Reports readings/s from the first commit to
/// zero lag, the processor's CPU time per million readings, and checks that every alarm, and no other methane alert,
/// reached <c>sensing.alerts</c>. The producer's cost is outside the measurement: every reading is in Kafka before
/// the processor starts.
/// </summary>
public static class ProcessorThroughputDriver
{
    // Every this-many devices one is a methane detector in a standing alarm (device % 1000 == 57 is a methane slot
    // in DetectionEngineBenchmarks' mix: slots 55..69 of every 100).
    private const int AlarmEvery = 1_000;
    private const int AlarmSlot = 57;

    // Event time between two readings of one device: well inside the 60 s report interval, so a partition read a
    // few rounds behind another never looks offline.
    private const long RoundMs = 5_000;

    // Linux thread name (15 characters at most) of the processor's consume loop, a LongRunning task's thread.
    private const string ConsumeLoopThread = ".NET Long Runni";

    /// <summary>
    /// <c>processor-throughput SENSING_EXE [readings] [devices] [raw-samples]</c>: runs once and prints the figures.
    /// </summary>
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        var sensing = Path.GetFullPath(args[0]);
        var readings = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;
        var deviceCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
        var rawSamples = args.Length > 3 ? args[3] : "All";
        output.WriteLine($"processor-throughput: {readings:N0} readings, {deviceCount:N0} devices, raw samples {rawSamples}, {Environment.ProcessorCount} cores, load {LoadAverage()}");

        await using var kafka = new LocalKafka(LocalKafkaOptions.Default);
        await using var store = new LocalVictoriaMetrics(LocalVictoriaMetricsOptions.Default);
        await kafka.StartAsync();
        await store.StartAsync();
        var options = KafkaOptions.Default with { BootstrapServers = kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" };
        foreach (var (topic, partitions) in options.Topics.All)
        {
            await kafka.CreateTopicAsync(topic, partitions);
        }

        var work = Directory.CreateTempSubdirectory("sensing-processor-bench-");
        try
        {
            var devices = Fleet(deviceCount);
            var registry = Path.Combine(work.FullName, "devices.csv");
            DeviceRegistryFile.Write(registry, devices);
            var alarms = devices.Where((_, i) => i % AlarmEvery == AlarmSlot).Select(d => d.Id).ToHashSet();

            var load = Stopwatch.StartNew();
            await PreloadAsync(options, devices, readings);
            using var inspector = new TopicInspector(options);
            var inKafka = inspector.CountRecords(options.Topics.Telemetry, TimeSpan.FromSeconds(10));
            output.WriteLine($"pre-loaded {inKafka:N0} readings in {load.Elapsed.TotalSeconds:0.0} s ({alarms.Count} methane detectors in alarm); load {LoadAverage()}");
            if (inKafka != readings)
            {
                output.WriteLine("sensing.telemetry does not hold every reading");
                return 1;
            }

            var run = RunProcessor(output, sensing, options, registry, store.BaseUrl, rawSamples, inspector, readings, work.FullName);
            if (run is null)
            {
                return 1;
            }

            var (methane, other) = ReadAlerts(options, inspector, alarms);
            var seen = methane.Count(alarms.Contains);
            var stray = methane.Count - seen;
            output.WriteLine($"alerts on {options.Topics.Alerts}: methane raised for {seen} of {alarms.Count} alarm detectors, {stray} for others; other alert events: {(other.Count == 0 ? "none" : string.Join(", ", other.Select(o => $"{o.Key} {o.Value}")))}");
            output.WriteLine($"load {LoadAverage()}");
            return seen == alarms.Count && stray == 0 ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static DeviceInfo[] Fleet(int count)
    {
        var devices = new DeviceInfo[count];
        for (var i = 0; i < count; i++)
        {
            var kind = DetectionEngineBenchmarks.KindOf(i);
            devices[i] = new DeviceInfo($"{kind.Name()}-{i:D6}", kind, $"district-{i % 40:D2}", 60, "")
            {
                Parameters = kind == DeviceKind.GasMeter ? DeviceParameters.Parse("qmax=6") : DeviceParameters.Empty,
            };
        }

        return devices;
    }

    private static async Task PreloadAsync(KafkaOptions options, DeviceInfo[] devices, int readings)
    {
        using var producer = new RecordProducer(options, "sensing-bench-preload");
        var random = new Random(42);
        var metrics = new MetricValue[5];
        var frame = new byte[TelemetryFrame.MaxLength];
        var keys = devices.Select(d => Encoding.ASCII.GetBytes(d.Id)).ToArray();
        var rounds = (readings + devices.Length - 1) / devices.Length;
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (rounds * RoundMs) - 60_000;
        long failed = 0;
        for (var i = 0; i < readings; i++)
        {
            var device = i % devices.Length;
            var kind = devices[device].Kind;
            var count = DetectionEngineBenchmarks.Fill(metrics, kind, device, i, random);
            if (kind == DeviceKind.MethaneDetector)
            {
                metrics[1] = new MetricValue(Metric.MethaneLel, device % AlarmEvery == AlarmSlot ? 30.0 : Math.Round(random.NextDouble() * 10, 1));
            }

            var timeMs = startMs + ((i / devices.Length) * RoundMs) + (device % 1_000);
            var length = TelemetryFrame.Write(frame, keys[device], kind, timeMs, timeMs + 40, (ulong)(i / devices.Length) + 1,
                TraceContext.None, metrics.AsSpan(0, count));
            // Keyed as the gateway keys it (water pressure and flow by district).
            await producer.ProduceAsync(options.Topics.Telemetry, devices[device].TelemetryKeyUtf8, frame.AsSpan(0, length).ToArray(),
                o => { if (!o.Persisted) { Interlocked.Increment(ref failed); } }, CancellationToken.None);
        }

        if (!producer.Flush(TimeSpan.FromMinutes(5)) || Interlocked.Read(ref failed) != 0)
        {
            throw new InvalidOperationException($"pre-load: {failed} readings not accepted by Kafka");
        }
    }

    private static (long Readings, double Seconds)? RunProcessor(
        TextWriter output, string sensing, KafkaOptions options, string registry, string store, string rawSamples,
        TopicInspector inspector, long readings, string work)
    {
        var log = Path.Combine(work, "processor.log");
        var start = new ProcessStartInfo(sensing)
        {
            ArgumentList =
            {
                "processor", "--kafka", options.BootstrapServers, "--kafka-legacy-version", options.LegacyBrokerVersion,
                "--registry", registry, "--store", store, "--raw-samples", rawSamples,
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var processor = Process.Start(start) ?? throw new InvalidOperationException("processor did not start");
        using var logFile = new StreamWriter(log);
        processor.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { lock (logFile) { logFile.WriteLine(line); } } };
        processor.OutputDataReceived += (_, e) => { if (e.Data is { } line) { lock (logFile) { logFile.WriteLine(line); } } };
        processor.BeginErrorReadLine();
        processor.BeginOutputReadLine();
        var wall = Stopwatch.StartNew();
        try
        {
            TimeSpan? firstAt = null;
            TimeSpan firstCpu = default;
            Dictionary<string, long> firstThreads = [];
            Dictionary<string, long> firstWaits = [];
            long firstCommitted = 0;
            long committed = 0;
            while (committed < readings)
            {
                if (processor.HasExited || wall.Elapsed > TimeSpan.FromMinutes(30))
                {
                    output.WriteLine($"processor stopped or too slow at {committed:N0} of {readings:N0}; its log:");
                    lock (logFile)
                    {
                        logFile.Flush();
                    }

                    output.WriteLine(File.ReadAllText(log));
                    return null;
                }

                Thread.Sleep(250);
                committed = inspector.CommittedRecords(options.Topics.Telemetry, "sensing-processor", TimeSpan.FromSeconds(10));
                if (firstAt is null && committed > 0)
                {
                    firstAt = wall.Elapsed;
                    firstCpu = Cpu(processor);
                    firstThreads = ThreadTicks(processor.Id);
                    firstWaits = ThreadRunQueueWaits(processor.Id);
                    firstCommitted = committed;
                }
            }

            var endAt = wall.Elapsed;
            var cpu = Cpu(processor);
            var threads = ThreadTicks(processor.Id);
            var waits = ThreadRunQueueWaits(processor.Id);
            var steady = readings - firstCommitted;
            var seconds = (endAt - firstAt!.Value).TotalSeconds;
            var steadyCpu = (cpu - firstCpu).TotalSeconds;
            output.WriteLine("| phase | readings | wall s | readings/s | processor CPU s | CPU s per million readings |");
            output.WriteLine("|---|---|---|---|---|---|");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| process start to zero lag | {readings:N0} | {endAt.TotalSeconds:0.0} | {readings / endAt.TotalSeconds:N0} | {cpu.TotalSeconds:0.0} | {cpu.TotalSeconds * 1e6 / readings:0.0} |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| first commit to zero lag | {steady:N0} | {seconds:0.0} | {steady / seconds:N0} | {steadyCpu:0.0} | {steadyCpu * 1e6 / steady:0.0} |"));
            if (threads.Count > 0)
            {
                // Linux reports thread CPU in clock ticks (USER_HZ, 100 per second on every Linux ABI .NET runs on).
                output.WriteLine("processor CPU by thread name, first commit to zero lag: " + string.Join(", ", threads
                    .Select(t => (t.Key, Seconds: (t.Value - firstThreads.GetValueOrDefault(t.Key)) / 100.0))
                    .Where(t => t.Seconds > 0).OrderByDescending(t => t.Seconds)
                    .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Seconds:0.00} s"))));
            }

            if (waits.TryGetValue(ConsumeLoopThread, out var wait))
            {
                // The consume loop's wall time is its CPU, its time runnable but waiting for a core, and the rest
                // blocked (fetch, commit, alert acknowledgements, store writes).
                var cpuSeconds = (threads[ConsumeLoopThread] - firstThreads.GetValueOrDefault(ConsumeLoopThread)) / 100.0;
                var queued = (wait - firstWaits.GetValueOrDefault(ConsumeLoopThread)) / 1e9;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"consume loop thread, first commit to zero lag: {cpuSeconds:0.00} s on a core, {queued:0.00} s runnable waiting for a core, {seconds - cpuSeconds - queued:0.00} s blocked"));
            }

            return (steady, seconds);
        }
        finally
        {
            processor.Kill();
            processor.WaitForExit();
        }
    }

    // utime + stime (fields 14 and 15 of /proc/PID/task/TID/stat) of every thread, summed by thread name; empty
    // where /proc is not there.
    private static Dictionary<string, long> ThreadTicks(int pid)
    {
        var ticks = new Dictionary<string, long>(StringComparer.Ordinal);
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return ticks;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
                ticks[name] = ticks.GetValueOrDefault(name) + long.Parse(fields[11], CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return ticks;
    }

    // Nanoseconds each thread spent runnable but waiting for a core (field 2 of /proc/PID/task/TID/schedstat),
    // summed by thread name; empty where schedstat is not there.
    private static Dictionary<string, long> ThreadRunQueueWaits(int pid)
    {
        var waits = new Dictionary<string, long>(StringComparer.Ordinal);
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return waits;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                waits[name] = waits.GetValueOrDefault(name) + long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading, or the kernel has no schedstat.
            }
        }

        return waits;
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static (HashSet<string> MethaneRaised, SortedDictionary<string, int> Other) ReadAlerts(
        KafkaOptions options, TopicInspector inspector, HashSet<string> alarms)
    {
        var methane = new HashSet<string>();
        var other = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var total = inspector.CountRecords(options.Topics.Alerts, TimeSpan.FromSeconds(10));
        using var consumer = new RecordConsumer(options, "sensing-bench-alerts-" + Guid.NewGuid().ToString("N"), "sensing-bench");
        consumer.Subscribe(options.Topics.Alerts);
        var deadline = Stopwatch.StartNew();
        for (long read = 0; read < total && deadline.Elapsed < TimeSpan.FromMinutes(1);)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is not { } record)
            {
                continue;
            }

            read++;
            var alert = JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent)!;
            if (alert.Condition == AlertCondition.MethaneHigh.Name() && alert.Type == AlertEventType.Raised)
            {
                methane.Add(alert.Source);
            }
            else
            {
                var key = $"{alert.Condition} {alert.Type}";
                other[key] = other.GetValueOrDefault(key) + 1;
            }
        }

        return (methane, other);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
