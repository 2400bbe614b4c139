using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Feed.Auth;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Processor;
using Sensing.Sim;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Truth;
using Spectre.Console;

namespace Sensing.Up;

/// <summary>
/// The whole city on one machine, each part a process of its own as in production: real Kafka and VictoriaMetrics,
/// several gateways behind one list of endpoints, processors in one consumer group, the alert feed, and the simulated
/// fleet in shard processes over real MQTT connections. Mid-run one gateway is killed and its devices fail over to the
/// others. The summary balances the books (acknowledged readings against Kafka against what the processors committed),
/// scores every injected incident and trap, and gives the sensor-to-alert latency and each part's cost.
/// </summary>
public sealed class CityRun(UpOptions options, IAnsiConsole console)
{
    private const string ProcessorGroup = "sensing-processor";
    private const string StoreSinkGroup = Cli.ProcessorCommand.StoreSinkGroup;

    /// <summary>Runs the city; returns the process exit code (0 when every check of the summary passed).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("sensing-up-");
        void Log(string message) => console.MarkupLineInterpolated($"[grey]{clock.Elapsed:mm\\:ss}[/] {message}");

        Log($"starting ZooKeeper + Kafka 0.9 and VictoriaMetrics in {work.FullName}");
        await using var kafkaServer = new LocalKafka(LocalKafkaOptions.Default);
        await using var store = new LocalVictoriaMetrics(LocalVictoriaMetricsOptions.Default);
        await Task.WhenAll(kafkaServer.StartAsync(cancellationToken), store.StartAsync(cancellationToken));
        var kafka = new KafkaOptions { BootstrapServers = kafkaServer.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in kafka.Topics.All)
        {
            await kafkaServer.CreateTopicAsync(topic, partitions, kafka.Topics.ConfigOf(topic), cancellationToken);
        }

        Log($"Kafka at {kafkaServer.BootstrapServers}, store at {store.BaseUrl}, topics created");

        // The city: its registry now; its incidents once the start is known (the shards build the same city and plan).
        var city = CityModel.Create(options.City);
        var registryPath = Path.Combine(work.FullName, "devices.csv");
        city.WriteRegistry(registryPath);
        var registry = DeviceRegistry.Load(registryPath);
        var persistent = city.Devices.Count(d => d.Persistent && d.Concentrator < 0) + city.Concentrators.Count;
        var gatewayCount = options.Gateways > 0 ? options.Gateways : UpOptions.GatewaysFor(persistent);
        var shardCount = Math.Max(1, (persistent + UpOptions.SessionsPerShard - 1) / UpOptions.SessionsPerShard);
        Log($"city: {city.Devices.Count:N0} devices over {city.Districts.Count} districts ({persistent:N0} persistent sessions, the rest connect, publish and disconnect), {registry.Count:N0} registry entries");

        // The registry goes where production keeps it, sensing.devices, as `sensing devices import devices.csv` writes
        // it; every gateway and processor reads it from there at start and follows it.
        var importClock = Stopwatch.StartNew();
        using (var publisher = new DeviceRegistryPublisher(kafka))
        {
            publisher.Publish([.. registry.Devices().Select(d => new DeviceUpdate(d.Id, d))], cancellationToken: cancellationToken);
        }

        Log($"registry: {registry.Count:N0} devices written to {kafka.Topics.Devices} in {importClock.Elapsed.TotalSeconds:0.0} s");

        var parts = new List<PartProcess>();
        try
        {
            var common = new[] { "--kafka", kafkaServer.BootstrapServers, "--kafka-legacy-version", "0.9.0.1", "--store", store.BaseUrl };
            var gateways = new List<(PartProcess Part, IPEndPoint EndPoint)>();
            for (var i = 1; i <= gatewayCount; i++)
            {
                var endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Pick());
                var part = PartProcess.Start("gateway", $"gateway-{i}", work.FullName,
                    ["gateway", .. common, "--listen", endPoint.ToString(), "--gateway-id", $"gateway-{i}"], executable: options.GatewayExecutable);
                parts.Add(part);
                gateways.Add((part, endPoint));
            }

            // With --rules, every processor reads the file and follows its changes while the city runs; the feed takes its
            // response texts from it. With store sinks, the processors only detect, and the sinks (given the rules too, for
            // their sensing_rules points) write readings and alert events to the store.
            string[] rules = options.Rules is { } set ? ["--rules", set.File] : [];
            // A checkpoint holds a partition's whole detection state (megabytes at city size): at every commit, which a
            // processor that no longer waits for the store makes ten times a second, they would cost more than the
            // detection itself. Every 10 s instead; a restart replays at most those 10 s, re-publishing identical alert ids.
            string[] role = options.StoreSinks > 0 ? ["--role", nameof(ProcessorRole.Detect), "--checkpoint-interval-ms", "10000"] : [];
            for (var i = 1; i <= options.Processors; i++)
            {
                parts.Add(PartProcess.Start("processor", $"processor-{i}", work.FullName,
                    ["processor", .. common, "--group", ProcessorGroup, .. role, .. rules]));
            }

            for (var i = 1; i <= options.StoreSinks; i++)
            {
                // The store sinks are off the alert path: on this shared machine they yield to it (nice 5).
                parts.Add(PartProcess.Start(StoreSinkKind, $"store-sink-{i}", work.FullName,
                    ["processor", .. common, "--role", nameof(ProcessorRole.Store), "--group", StoreSinkGroup, .. rules], niceness: StoreSinkNiceness));
            }

            var feedKeys = LocalApiKeys.Create();
            var feedKeysPath = Path.Combine(work.FullName, "api-keys.csv");
            feedKeys.WriteFile(feedKeysPath);
            var feedUrl = $"http://127.0.0.1:{FreePorts.Pick()}";
            // The console shows times in the processors' zone: the rules file's (which also gives the response texts),
            // else the detection default's.
            string[] feedRules = rules.Length > 0 ? rules : ["--time-zone", DetectionOptions.Default.TimeZone.Id];
            parts.Add(PartProcess.Start("feed", "feed", work.FullName, ["feed", .. common, "--url", feedUrl, "--api-keys", feedKeysPath, .. feedRules]));

            foreach (var (part, endPoint) in gateways)
            {
                await WaitUntilAsync(() => Accepts(endPoint), TimeSpan.FromMinutes(2), $"{part.Name} listening on {endPoint}", parts, cancellationToken);
            }

            await WaitUntilAsync(() => FeedUpAsync(feedUrl), TimeSpan.FromMinutes(1), "the feed answering /health", parts, cancellationToken);
            Log($"{gatewayCount} gateways ({string.Join(", ", gateways.Select(g => g.EndPoint))}; {(options.GatewayExecutable.Length != 0 ? "native build " + options.GatewayExecutable : "this executable")}), {options.Processors} processors in group {ProcessorGroup}, " +
                $"{(options.StoreSinks > 0 ? $"{options.StoreSinks} store sink(s) in group {StoreSinkGroup}" : "no store sink (the processors write the store)")}, feed on {feedUrl}");
            // The console can be watched while the city runs: the viewer key is shown now, the operator key in the summary.
            Log($"operator console: {feedUrl}/ (viewer key {feedKeys.ViewerKey})");
            await using var watch = new AlertWatch(kafka, feedUrl, feedKeys.ViewerKey);

            // The shared start: time for the shard processes to build the city and open every persistent session (about
            // 3,000 a second here; a third of that is allowed).
            var leadMs = 20_000 + (persistent * 1000L / 1000);
            var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + leadMs;
            var plan = IncidentPlan.Apply(city, startMs, options.Duration);
            TruthFile.Write(Path.Combine(work.FullName, "truth.csv"), city.Incidents.Select(i => i.Truth));

            // Some incidents change a device's registry entry (the big consumer is a commercial meter with its own Qmax):
            // those entries go to sensing.devices as an operator's update would, before the first reading.
            var updated = city.Incidents.Where(i => i.Device >= 0).Select(i => city.Devices[i.Device].Info).Distinct()
                .Where(d => !registry.TryFind(d.Id, out DeviceInfo? before) || !Equals(before, d)).ToList();
            if (updated.Count > 0)
            {
                using var publisher = new DeviceRegistryPublisher(kafka);
                publisher.Publish([.. updated.Select(d => new DeviceUpdate(d.Id, d))], cancellationToken: cancellationToken);
                Log($"registry: {updated.Count} entr{(updated.Count == 1 ? "y" : "ies")} the incidents changed written to {kafka.Topics.Devices} ({string.Join(", ", updated.Select(d => d.Id))})");
            }

            var leak = city.Incidents.First(i => i.Kind == IncidentKind.MethaneLevel2);
            Log($"{city.Incidents.Count} incidents and traps injected (methane to level 2 on {leak.Source}); ground truth in truth.csv; left out: {plan.Skipped.Count}");

            var fleet = new FleetStatus(shardCount);
            var shardArguments = new List<string>
            {
                "sim", "city", "--devices", options.Devices.ToString(CultureInfo.InvariantCulture), "--districts", options.Districts.ToString(CultureInfo.InvariantCulture),
                "--seed", options.Seed.ToString(CultureInfo.InvariantCulture), "--duration", $"{(long)options.Duration.TotalSeconds}s",
                "--broker", string.Join(',', gateways.Select(g => g.EndPoint)), "--start", startMs.ToString(CultureInfo.InvariantCulture), "--status-lines",
                // Every shard records what the gateways acknowledged (acks.bin.<shard>): the books are balanced against it.
                "--ack-log", Path.Combine(work.FullName, AckLogName),
                // ... and every downlink command its devices received (commands.log.<shard>), balanced against sensing.commands.
                "--command-log", Path.Combine(work.FullName, CommandLogName),
            };
            if (options.ReportIntervalSeconds is { } interval)
            {
                shardArguments.AddRange(["--interval", ((int)Math.Ceiling(interval)).ToString(CultureInfo.InvariantCulture)]);
            }

            var shards = new List<PartProcess>();
            for (var i = 0; i < shardCount; i++)
            {
                var index = i;
                // The simulated devices stand for hardware out in the city, which takes no CPU from the pipeline: here they
                // share its two cores, so they run at a low priority (nice 10) and mostly take what the pipeline leaves.
                var shard = PartProcess.Start("simulator", $"simulator-{i}", work.FullName, [.. shardArguments, "--shard", $"{i}/{shardCount}"],
                    line => fleet.Update(index, line), niceness: SimulatorNiceness);
                shards.Add(shard);
                parts.Add(shard);
            }

            Log($"fleet: {shardCount} simulator processes; the simulation starts in {leadMs / 1000} s, once every persistent session is open; then {options.Duration.TotalSeconds:0} s of readings");
            var faultPlan = options.FaultSeed is { } faultSeed ? FaultPlan.Create(faultSeed, startMs, options.Duration) : null;
            var gatewayKillAtMs = faultPlan is not null
                ? faultPlan.First(f => f.Kind == FaultKind.GatewayKill).AtMs
                : options.GatewayKillMoment is { } at ? startMs + (long)(at * options.Duration.TotalMilliseconds) : (long?)null;
            var storm = new GatewayStorm(gatewayKillAtMs, gateways[0].Part);
            using var faults = faultPlan is null ? null : new FaultRun(faultPlan, parts, kafkaServer, store, kafka, ProcessorGroup,
                options.StoreSinks > 0 ? StoreSinkGroup : null, feedUrl, storm);
            if (faultPlan is not null)
            {
                Log($"fault run, seed {options.FaultSeed}: " + string.Join(", ", faultPlan.Select(f =>
                    $"{f.Kind} at {(f.AtMs - startMs) / 1000} s{(f.Down > TimeSpan.Zero ? $" for {f.Down.TotalSeconds:0} s" : "")}")));
            }

            if (options.Fuzzing)
            {
                Log($"fuzz run: {options.FuzzPackets:N0} hostile packets, {options.FuzzConcurrency} connections at once, seed {options.FuzzSeed}, once the city is steady");
            }

            var costs = new PartCosts(parts);
            CityFuzz? fuzz = null;
            using var inspector = new TopicInspector(kafka);
            var fleetDone = Task.WhenAll(shards.Select(s => s.WaitForExitAsync(cancellationToken)));
            var lastLine = TimeSpan.Zero;
            while (!fleetDone.IsCompleted)
            {
                await Task.WhenAny(fleetDone, Task.Delay(1000, cancellationToken));
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var status = fleet.Sum;
                costs.Sample();
                if (now >= startMs && !costs.SteadyTaken && (status.Connected >= persistent * 0.99 || now >= startMs + 30_000))
                {
                    costs.TakeSteady(status.Acked);
                }

                if (options.Fuzzing && fuzz is null && costs.SteadyTaken)
                {
                    fuzz = StartFuzz(gateways, work.FullName, parts, Log);
                }

                fuzz?.Observe(now);
                storm.Observe(now, status, costs, msg => Log(msg));
                faults?.Observe(now, status, msg => Log(msg));
                if (clock.Elapsed - lastLine >= TimeSpan.FromSeconds(5))
                {
                    lastLine = clock.Elapsed;
                    var phase = now < startMs ? $"opening sessions, start in {(startMs - now) / 1000} s" : $"{(now - startMs) / 1000} s/{options.Duration.TotalSeconds:0} s";
                    Log($"{phase}  connected {status.Connected:N0}  sent {status.Sent:N0}  acked {status.Acked:N0}  in Kafka {Safe(() => inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(5))):N0}  " +
                        $"committed {Safe(() => inspector.CommittedRecords(kafka.Topics.Telemetry, ProcessorGroup, TimeSpan.FromSeconds(5))):N0}  " +
                        (options.StoreSinks > 0 ? $"stored {Safe(() => inspector.CommittedRecords(kafka.Topics.Telemetry, StoreSinkGroup, TimeSpan.FromSeconds(5))):N0}  " : "") + $"alert events {watch.Events:N0}  offline {status.Offline:N0}  errors {status.Errors:N0}");
                }
            }

            var fleetStatus = fleet.Sum;
            costs.TakeEnd(fleetStatus.Acked);
            if (faults is not null)
            {
                // The last fault's recovery may still be under way.
                var followed = Stopwatch.StartNew();
                while (faults.Outcomes.Any(o => o.InjectedAtMs is not null && o.RecoveredAtMs is null) && followed.Elapsed < TimeSpan.FromMinutes(5))
                {
                    faults.Observe(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), fleetStatus, msg => Log(msg));
                    await Task.Delay(1000, cancellationToken);
                }
            }

            if (fuzz is not null)
            {
                await FinishFuzzAsync(fuzz, Log, cancellationToken);
            }

            Log("fleet stopped; waiting for the processors to commit every record");
            long telemetryRecords = 0, committed = 0, stored = -1;
            await WaitUntilAsync(() =>
            {
                telemetryRecords = inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(10));
                committed = inspector.CommittedRecords(kafka.Topics.Telemetry, ProcessorGroup, TimeSpan.FromSeconds(10));
                return Task.FromResult(committed >= telemetryRecords);
            }, TimeSpan.FromMinutes(3), null, parts, cancellationToken);

            // The store may be far behind detection (a cold store creates every device's series in the first minutes):
            // the store sinks get longer to catch up, with a line every 5 s.
            if (options.StoreSinks > 0)
            {
                Log("waiting for the store sinks to store every record");
                var lastStoreLine = Stopwatch.StartNew();
                await WaitUntilAsync(() =>
                {
                    stored = inspector.CommittedRecords(kafka.Topics.Telemetry, StoreSinkGroup, TimeSpan.FromSeconds(10));
                    if (lastStoreLine.Elapsed >= TimeSpan.FromSeconds(5))
                    {
                        lastStoreLine.Restart();
                        Log($"stored {stored:N0} of {telemetryRecords:N0} records");
                    }

                    return Task.FromResult(stored >= telemetryRecords);
                }, TimeSpan.FromMinutes(15), null, parts, cancellationToken);
            }

            var check = await new LeakVerifier(kafka, store.BaseUrl, feedUrl, feedKeys.ViewerKey).VerifyAsync(leak.Source, TimeSpan.FromSeconds(30), cancellationToken);
            // The watch reads sensing.alerts to its end; the feed's stream gets a few seconds more for the last events.
            await WaitUntilAsync(() => Task.FromResult(watch.Records >= inspector.CountRecords(kafka.Topics.Alerts, TimeSpan.FromSeconds(10))),
                TimeSpan.FromMinutes(1), null, parts, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var seen = new HashSet<long>();
            var minutes = new TelemetryMinutes();
            var uninterrupted = new UninterruptedReplay();
            var audit = TelemetryAudit.Read(kafka, registry, telemetryRecords, TimeSpan.FromSeconds(30), seen, minutes, uninterrupted);
            // The same input through one processor that nothing interrupts, with the registry the processors had (the
            // incidents' changed entries included) and their rules.
            var replayClock = Stopwatch.StartNew();
            var replay = ReplayComparison.Compare(watch.Alerts,
                uninterrupted.Run(city.Devices.Select(d => d.Info).Concat(city.Concentrators.Select(c => c.Info)), options.Rules?.Detection ?? DetectionOptions.Default));
            Log($"uninterrupted replay: {uninterrupted.Records:N0} records, {replay.Replayed:N0} alerts in {replayClock.Elapsed.TotalSeconds:0.0} s; " +
                $"missing here {replay.Missing:N0}, extra here {replay.Extra:N0}, time-driven differences {replay.TimeDriven:N0}");
            var books = await BooksCheck.BalanceAsync(Directory.GetFiles(work.FullName, AckLogName + ".*"), city, registry, seen, audit, watch,
                feedUrl, feedKeys.ViewerKey, cancellationToken);

            // The downlink's books. The order makes them sound: a shard exits only after its last reading and once every
            // meter of it that reported a rupture has its valve closed by the command (or CityPublisher.ValveCloseWait
            // passed), its connect-publish-disconnect meters checking their downlink meanwhile; the processors have then
            // committed every record above, so every command the run issued is in sensing.commands, and every command
            // a device received is in its shard's command log. An issued command not in a log is lost.
            var issued = CommandTopic.Read(kafka, Safe(() => inspector.CountRecords(kafka.Topics.Commands, TimeSpan.FromSeconds(10))), TimeSpan.FromSeconds(30));
            books = books with
            {
                Commands = CommandBooks.Count(issued, Directory.GetFiles(work.FullName, CommandLogName + "*").SelectMany(CommandLog.Read)),
            };

            // Every reading in Kafka once in the store's one-minute aggregates: the sinks committed every record above, so
            // every minute up to their watermark is written.
            await store.FlushAsync(cancellationToken);
            var stored1m = await StoreBooks.ReadStoreAsync(store.BaseUrl, registry, startMs - 3_600_000,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (4 * 3_600_000), cancellationToken);
            var storeBooks = StoreBooks.Compare(minutes.Counts, stored1m, minutes.SealedUntilMs, n => n >= 0 ? registry[n].Id : "(not in the registry)");
            var score = DetectionScore.Compute([.. city.Incidents.Select(i => i.Truth)], watch.Alerts);
            var killed = faults?.Killed.ToHashSet() ?? [storm.Victim];
            var crashed = parts.Where(p => p.Kind is not ("simulator" or CityFuzz.Kind) && !killed.Contains(p) && p.HasExited).Select(p => p.Name).ToList();
            var summary = new CitySummary(options, city.Devices.Count, persistent, gatewayCount, shardCount, fleetStatus, audit, telemetryRecords, committed, stored,
                score, watch, storm, costs, check, crashed, feedUrl, store.BaseUrl, kafkaServer.BootstrapServers, work.FullName, clock.Elapsed)
            {
                Books = books,
                StoreBooks = storeBooks,
                Replay = replay,
                Faults = faults?.Outcomes ?? [],
                AckLatency = fleet.AckLatency,
                AckLatencyShards = fleet.AckLatencyShards,
                Fuzz = fuzz,
                PublishStartMs = startMs,
            };
            summary.Render(console);
            console.MarkupLineInterpolated($"Operator console [link]{feedUrl}/[/]; API keys ({feedKeysPath}): operator [bold]{feedKeys.OperatorKey}[/], viewer [bold]{feedKeys.ViewerKey}[/]");

            if (options.KeepRunning && !cancellationToken.IsCancellationRequested)
            {
                console.MarkupLine("[yellow]--keep-running:[/] everything stays up; press Ctrl+C to stop.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return summary.Passed ? 0 : 1;
        }
        finally
        {
            // Processors first, so they commit what they finished; then the rest.
            foreach (var part in parts.OrderBy(p => p.Kind is "processor" or StoreSinkKind ? 0 : 1))
            {
                await part.DisposeAsync();
            }

            if (Environment.GetEnvironmentVariable("SENSING_KEEP_SERVER_DIRS") != "1")
            {
                work.Delete(recursive: true);
            }
        }
    }

    /// <summary>Niceness of the simulator shards (the devices, which would not share the pipeline's machine).</summary>
    internal const int SimulatorNiceness = 10;

    /// <summary>Niceness of the store sinks (off the alert path).</summary>
    internal const int StoreSinkNiceness = 5;

    /// <summary>The simulator shards' ack logs in the run's folder: this name, then .&lt;shard&gt;.</summary>
    internal const string AckLogName = "acks.bin";

    /// <summary>The simulator shards' command logs in the run's folder: this name, then .&lt;shard&gt;.</summary>
    internal const string CommandLogName = "commands.log";

    /// <summary>The kind of part of the store sinks in the summary.</summary>
    internal const string StoreSinkKind = "store-sink";

    /// <summary>What <paramref name="read"/> gives, or -1 when Kafka did not answer (a broker down or restarting).</summary>
    internal static long Safe(Func<long> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is Confluent.Kafka.KafkaException)
        {
            return -1;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string? what, IReadOnlyList<PartProcess> parts, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (parts.FirstOrDefault(p => p.HasExited && p.Kind is not ("simulator" or CityFuzz.Kind)) is { } dead && what is not null)
            {
                throw new InvalidOperationException($"{dead.Name} exited with code {dead.ExitCode} while waiting for {what} (its log is in the run's folder)");
            }

            if (deadline.Elapsed > timeout)
            {
                if (what is null)
                {
                    return;
                }

                throw new TimeoutException($"not seen within {timeout.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    // The fuzzer goes to every gateway in turn (a fuzz run kills none: UpOptions.GatewayKillMoment).
    private CityFuzz StartFuzz(List<(PartProcess Part, IPEndPoint EndPoint)> gateways, string folder, List<PartProcess> parts, Action<string> log)
    {
        IPEndPoint[] targets = [.. gateways.Select(g => g.EndPoint)];
        var fuzz = CityFuzz.Start(options, folder, targets);
        parts.Add(fuzz.Part);
        log($"the city is steady: fuzzer started (pid {fuzz.Part.Id}) against {string.Join(", ", targets)}");
        return fuzz;
    }

    // The fuzzer may outlast the fleet (a million packets at a few thousand connections a second take minutes): it is
    // given up to FuzzGrace more, then stopped, and the summary says when it ran against the publishing.
    private static async Task FinishFuzzAsync(CityFuzz fuzz, Action<string> log, CancellationToken cancellationToken)
    {
        if (!fuzz.Part.HasExited)
        {
            log($"fleet stopped; waiting up to {FuzzGrace.TotalMinutes:0} min for the fuzzer to send its packets");
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(FuzzGrace);
            try
            {
                await fuzz.Part.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                log("the fuzzer did not finish in time: stopped");
                await fuzz.Part.StopAsync(TimeSpan.FromSeconds(10));
            }
        }

        fuzz.Observe(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // Its output is read on another thread: the result line may trail the exit by a moment.
        for (var i = 0; i < 20 && !fuzz.Reported; i++)
        {
            await Task.Delay(100, cancellationToken);
        }

        log(fuzz.Reported
            ? $"fuzzer: {fuzz.Packets:N0} packets over {fuzz.Connections:N0} connections, {fuzz.Unexpected:N0} ended unexpectedly (exit {fuzz.Part.ExitCode})"
            : $"fuzzer exited {(fuzz.Part.HasExited ? fuzz.Part.ExitCode : -1)} without its result line (its log: fuzzer.log)");
    }

    /// <summary>How long the fuzzer may run on after the fleet stopped.</summary>
    private static readonly TimeSpan FuzzGrace = TimeSpan.FromMinutes(30);

    private static Task<bool> Accepts(IPEndPoint endPoint)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endPoint);
            return Task.FromResult(true);
        }
        catch (SocketException)
        {
            return Task.FromResult(false);
        }
    }

    private static async Task<bool> FeedUpAsync(string feedUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await http.GetAsync(feedUrl + "/health")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
