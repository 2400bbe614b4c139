using System.CommandLine;
using System.Globalization;
using System.Net;
using Sensing.Core.Devices;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Mqtt;
using Sensing.Simulators.Load;

namespace Sensing.Cli;

/// <summary>
/// <c>sensing load</c>: the load driver (many MQTT connections at a target rate, msg/s and PUBACK p50/p99), with
/// <c>load registry</c> to write a registry of load devices and <c>load kafka</c> to hold a local Kafka for a load run.
/// </summary>
internal static class LoadCommand
{
    private const string DevicePrefix = "load-";

    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "MQTT server host:port", DefaultValueFactory = _ => "127.0.0.1:1883" };
        var connections = new Option<int>("--connections") { Description = "Connections held (one device each)", DefaultValueFactory = _ => LoadOptions.Default.Connections };
        var rate = new Option<double>("--rate") { Description = "Total PUBLISH messages/s aimed at; 0 holds the connections idle", DefaultValueFactory = _ => LoadOptions.Default.Rate };
        var qos = new Option<int>("--qos") { Description = "QoS 0 or 1", DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration") { Description = "Seconds to publish (or hold) once connected", DefaultValueFactory = _ => LoadOptions.Default.Duration.TotalSeconds };
        var sources = new Option<int>("--sources") { Description = "Source addresses 127.0.0.2 .. 127.0.0.(N+1), round robin; 0: the OS chooses", DefaultValueFactory = _ => 0 };
        var registry = new Option<FileInfo?>("--registry") { Description = "Device registry CSV: the first N device ids are used (default: load-000001 ...)" };
        var password = new Option<string?>("--password") { Description = "Password every device sends" };
        var batch = new Option<int>("--batch")
        {
            Description = "Readings per PUBLISH: above 1 every connection is a concentrator (the registry's concentrators) publishing a JSON batch for as many of its devices",
            DefaultValueFactory = _ => LoadOptions.Default.Batch,
        };
        var window = new Option<int>("--window") { Description = "QoS 1 messages in flight per connection", DefaultValueFactory = _ => LoadOptions.Default.Window };
        var command = new Command("load", "Drive an MQTT server (the gateway or any broker) with many connections at a target rate")
        {
            target, connections, rate, qos, duration, sources, registry, password, window, batch,
        };
        command.Subcommands.Add(CreateRegistry());
        command.Subcommands.Add(CreateKafka());
        command.Subcommands.Add(CreateFuzz());
        command.SetAction(async (result, ct) =>
        {
            LoadOptions options;
            try
            {
                var count = result.GetValue(connections);
                var file = result.GetValue(registry);
                var entries = file is null ? [] : DeviceRegistryFile.Read(file.FullName);
                var batching = result.GetValue(batch) > 1;
                var concentrators = entries.Where(d => d.Kind == DeviceKind.Concentrator).Select(d => d.Id).ToList();
                var devices = entries.Where(d => d.Kind != DeviceKind.Concentrator).Select(d => d.Id).ToList();
                options = new LoadOptions
                {
                    Target = IPEndPoint.Parse(result.GetValue(target)!),
                    Connections = count,
                    Rate = result.GetValue(rate),
                    QoS = (MqttQoS)result.GetValue(qos),
                    Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
                    SourceAddresses = [.. Enumerable.Range(2, result.GetValue(sources)).Select(i => new IPAddress([127, 0, 0, (byte)i]))],
                    DeviceIds = [.. (batching ? concentrators : devices).Take(count)],
                    Batch = result.GetValue(batch),
                    BatchDeviceIds = batching ? devices : [],
                    Password = result.GetValue(password),
                    Window = result.GetValue(window),
                }.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync("sensing load: " + e.Message);
                return 2;
            }

            Console.Error.WriteLine($"load: {options.Connections} connections to {options.Target}, {options.Rate:0} msg/s QoS {(int)options.QoS} for {options.Duration.TotalSeconds:0} s");
            var report = await new LoadDriver(options).RunAsync(live => Console.Error.WriteLine(live.Format(final: false)), ct);
            Console.WriteLine(report.Format(final: true));
            return report.ConnectFailures == 0 && report.Lost == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command CreateFuzz()
    {
        var target = new Option<string>("--target")
        {
            Description = "MQTT server host:port, or several separated by commas (one city's gateways), taken in turn connection by connection",
            DefaultValueFactory = _ => "127.0.0.1:1883",
        };
        var packets = new Option<long>("--packets") { Description = "Hostile packets to send in all", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Connections open at once", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seed of the cases and their bytes", DefaultValueFactory = _ => 1 };
        var registry = new Option<FileInfo?>("--registry") { Description = "Registry CSV of devices for the cases that need a session (second CONNECT, QoS 3, garbage payloads)" };
        var password = new Option<string?>("--password") { Description = "Password of those devices" };
        var command = new Command("fuzz", "Send malformed and hostile MQTT input over many connections and check how the server ends each one")
        {
            target, packets, concurrency, seed, registry, password,
        };
        command.SetAction(async (result, ct) =>
        {
            FuzzOptions options;
            try
            {
                var file = result.GetValue(registry);
                IPEndPoint[] targets = [.. result.GetValue(target)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPEndPoint.Parse)];
                if (targets.Length == 0)
                {
                    throw new ArgumentException("--target: give at least one host:port");
                }

                options = new FuzzOptions
                {
                    Target = targets[0],
                    Targets = targets,
                    Packets = result.GetValue(packets),
                    Concurrency = result.GetValue(concurrency),
                    Seed = result.GetValue(seed),
                    Devices = file is null ? [] : [.. DeviceRegistryFile.Read(file.FullName).Where(d => d.Kind != DeviceKind.Concentrator).Select(d => d.Id)],
                    Password = result.GetValue(password) ?? "",
                };
                if (options.Packets < 1 || options.Concurrency is < 1 or > 10_000)
                {
                    throw new ArgumentException("--packets must be positive and --concurrency 1-10000");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync("sensing load fuzz: " + e.Message);
                return 2;
            }

            Console.Error.WriteLine($"fuzz: {options.Packets:N0} packets to {string.Join(", ", options.Endpoints)}, {options.Concurrency} connections at once, seed {options.Seed}");
            var report = await new Fuzzer(options).RunAsync(Console.Error.WriteLine, ct);
            foreach (var line in report.Lines())
            {
                Console.WriteLine(line);
            }

            // The endings by case and outcome as ended_CASE_OUTCOME=N (what sensing up --fuzz reads back).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result packets={report.Packets} connections={report.Connections} unexpected={report.Unexpected} moved={report.ConnectsMoved} elapsed_s={report.Elapsed.TotalSeconds:0.0}") +
                string.Concat(report.Outcomes.OrderBy(o => o.Key.Case).ThenBy(o => o.Key.Outcome)
                    .Select(o => string.Create(CultureInfo.InvariantCulture, $" ended_{o.Key.Case}_{o.Key.Outcome}={o.Value}"))));
            return report.Unexpected == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command CreateRegistry()
    {
        var output = new Option<FileInfo>("--out") { Description = "Registry CSV to write", Required = true };
        var devices = new Option<int>("--devices") { Description = "Devices (load-000001 ...), methane detectors", DefaultValueFactory = _ => 1000 };
        var password = new Option<string?>("--password") { Description = "Password of every device; none: devices connect without one" };
        var concentrators = new Option<int>("--concentrators") { Description = "Concentrators (loadcc-000001 ...) serving every load device, for load --batch", DefaultValueFactory = _ => 0 };
        var command = new Command("registry", "Write a registry of load devices for the gateway") { output, devices, password, concentrators };
        command.SetAction(result =>
        {
            var secret = result.GetValue(password) is { } p ? DeviceRegistryFile.HashSecret(p) : "";
            DeviceRegistryFile.Write(result.GetValue(output)!.FullName, Enumerable.Range(1, result.GetValue(devices))
                .Select(i => new DeviceInfo($"{DevicePrefix}{i:D6}", DeviceKind.MethaneDetector, "load", 60, secret))
                .Concat(Enumerable.Range(1, result.GetValue(concentrators)).Select(i => new DeviceInfo($"loadcc-{i:D6}", DeviceKind.Concentrator, "load", 60, secret)
                {
                    Parameters = DeviceParameters.From([new(ConcentratorScope.ParameterName, DevicePrefix + "*")]),
                })));
            return 0;
        });
        return command;
    }

    private static Command CreateKafka()
    {
        var partitions = new Option<int>("--telemetry-partitions") { Description = "Partitions of sensing.telemetry", DefaultValueFactory = _ => SensingTopics.Default.TelemetryPartitions };
        var command = new Command("kafka", "Start ZooKeeper + Kafka 0.9 with the Sensing topics, print its address, hold until stopped") { partitions };
        command.SetAction(async (result, ct) =>
        {
            await using var kafka = new LocalKafka(LocalKafkaOptions.Default);
            await kafka.StartAsync(ct);
            var topics = SensingTopics.Default with { TelemetryPartitions = result.GetValue(partitions) };
            foreach (var (topic, count) in topics.All)
            {
                await kafka.CreateTopicAsync(topic, count, topics.ConfigOf(topic), ct);
            }

            Console.WriteLine($"kafka {kafka.BootstrapServers}");
            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        });
        return command;
    }
}
