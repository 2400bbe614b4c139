using System.CommandLine;
using Sensing.Up;
using Spectre.Console;

namespace Sensing.Cli;

/// <summary><c>sensing up</c>: the whole city on this machine.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices (the whole city: 190000)", DefaultValueFactory = _ => UpOptions.Default.Devices };
        var duration = new Option<int>("--duration") { Description = "Seconds the fleet publishes", DefaultValueFactory = _ => (int)UpOptions.Default.Duration.TotalSeconds };
        var interval = new Option<double?>("--interval") { Description = "Seconds between readings of one device (default: each kind's own interval)" };
        var gateways = new Option<int>("--gateways") { Description = "Gateway processes (0: as many as the persistent sessions need, at least 2)", DefaultValueFactory = _ => UpOptions.Default.Gateways };
        var processors = new Option<int>("--processors") { Description = "Processor processes in one consumer group", DefaultValueFactory = _ => UpOptions.Default.Processors };
        var storeSinks = new Option<int>("--store-sinks")
        {
            Description = "Store sink processes beside the processors, which then only detect (0: the processors write the store)",
            DefaultValueFactory = _ => UpOptions.Default.StoreSinks,
        };
        var noKill = new Option<bool>("--no-gateway-kill") { Description = "Do not kill a gateway mid-run" };
        var seed = new Option<int>("--seed") { Description = "Seed of the fleet and its incidents", DefaultValueFactory = _ => UpOptions.Default.Seed };
        var faults = new Option<int?>("--faults")
        {
            Description = "Fault run with this seed: a gateway, a processor, the Kafka broker, the store and the feed each killed or stopped once at seeded moments; the summary balances the books (needs --duration 600 or more)",
        };
        var fuzz = new Option<long>("--fuzz")
        {
            Description = "Fuzz run: once the city is steady, this many malformed and hostile MQTT packets go to the gateways (sensing load fuzz, a process of its own); the summary gives how each hostile connection ended and the honest devices' PUBACK latency",
        };
        var fuzzConcurrency = new Option<int?>("--fuzz-concurrency") { Description = $"Hostile connections open at once in a fuzz run (default {UpOptions.Default.FuzzConcurrency})" };
        var fuzzSeed = new Option<int?>("--fuzz-seed") { Description = $"Seed of the fuzzer's cases and bytes (default {UpOptions.Default.FuzzSeed})" };
        var gatewayExe = new Option<string>("--gateway-exe")
        {
            Description = "Executable of the gateway processes: the native build of sensing (scripts/native.sh; scripts/up.sh passes it); default this executable",
            DefaultValueFactory = _ => UpOptions.Default.GatewayExecutable,
        };
        var keepRunning = new Option<bool>("--keep-running") { Description = "Keep everything running after the summary until Ctrl+C" };
        var command = new Command("up", "Run the whole city here: Kafka, store, gateways, processors, feed and a simulated fleet")
        {
            devices, duration, interval, gateways, gatewayExe, processors, storeSinks, noKill, seed, faults, fuzz, fuzzConcurrency, fuzzSeed, keepRunning, CommonOptions.Rules,
        };
        command.SetAction(async (result, ct) =>
        {
            UpOptions options;
            try
            {
                if (result.GetValue(fuzz) == 0 && (result.GetValue(fuzzConcurrency) is not null || result.GetValue(fuzzSeed) is not null))
                {
                    throw new ArgumentException("--fuzz-concurrency and --fuzz-seed: only with --fuzz PACKETS");
                }

                options = new UpOptions
                {
                    Devices = result.GetValue(devices),
                    Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
                    ReportIntervalSeconds = result.GetValue(interval),
                    Gateways = result.GetValue(gateways),
                    GatewayExecutable = result.GetValue(gatewayExe)!,
                    Processors = result.GetValue(processors),
                    StoreSinks = result.GetValue(storeSinks),
                    GatewayKillAt = result.GetValue(noKill) ? null : UpOptions.Default.GatewayKillAt,
                    Seed = result.GetValue(seed),
                    FaultSeed = result.GetValue(faults),
                    FuzzPackets = result.GetValue(fuzz),
                    FuzzConcurrency = result.GetValue(fuzzConcurrency) ?? UpOptions.Default.FuzzConcurrency,
                    FuzzSeed = result.GetValue(fuzzSeed) ?? UpOptions.Default.FuzzSeed,
                    KeepRunning = result.GetValue(keepRunning),
                    Rules = CommonOptions.RulesFrom(result),
                }.Validate();
            }
            catch (Exception e) when (e is ArgumentException or Rules.RulesFileException)
            {
                await Console.Error.WriteLineAsync("sensing up: " + e.Message);
                return 2;
            }

            return await new CityRun(options, AnsiConsole.Console).RunAsync(ct);
        });
        return command;
    }
}
