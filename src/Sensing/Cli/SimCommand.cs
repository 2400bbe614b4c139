using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Sensing.Core.Devices;
using Sensing.Sim;
using Sensing.Simulators.City;
using Sensing.Simulators.Replay;
using Spectre.Console;

namespace Sensing.Cli;

/// <summary><c>sensing sim city</c> and <c>sensing sim replay</c>: the simulated city and replay of recorded data.</summary>
internal static class SimCommand
{
    private static readonly Option<string?> Broker = new("--broker")
    {
        Description = "MQTT endpoint host:port (the gateway, or any broker); a list a,b,... spreads the devices over them (device i to the (i mod count)th) and a dropped device connects again to another",
    };
    private static readonly Option<double> Speed = new("--speed") { Description = "Simulated seconds per real second (1440: a day in a minute)", DefaultValueFactory = _ => 1 };
    private static readonly Option<FileInfo?> RegistryOut = new("--registry-out") { Description = "Write the devices as a registry CSV" };

    public static Command Create() => new("sim", "Simulated city fleet and replay of recorded data") { CityCommand(), ReplayCommand(), LeaksCommand() };

    private static Command LeaksCommand()
    {
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and options give the same year", DefaultValueFactory = _ => 1 };
        var interval = new Option<int>("--interval") { Description = "Seconds between readings (300 or 900 in SCADA practice)", DefaultValueFactory = _ => 300 };
        var days = new Option<int>("--days") { Description = "Days simulated", DefaultValueFactory = _ => 365 };
        var districts = new Option<int>("--districts") { Description = "Districts, each with one inlet meter", DefaultValueFactory = _ => 10 };
        var pressure = new Option<bool>("--pressure") { Description = "Each district also has a pressure sensor" };
        var town = new Option<bool>("--town") { Description = "Each district is a town through one inlet meter: 8-16 leaks of 2-8 % of inflow in the year, none repaired" };
        var demandNoise = new Option<double>("--demand-noise") { Description = "Scale of the hour-to-hour demand noise (3-5 % of demand at 1; 0.25 for a quiet city)", DefaultValueFactory = _ => 1 };
        var weather = new Option<double>("--weather") { Description = "Scale of the weather's day-to-day moves of demand (3 % innovations at 1)", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for readings.csv, registry.csv and leaks.csv", Required = true };
        var command = new Command("leaks", "Write a year of district inlet flow with leaks that accumulate unrepaired, and its ground truth, for sensing backtest")
        {
            seed, interval, days, districts, pressure, town, demandNoise, weather, output,
        };
        command.SetAction(result =>
        {
            Sensing.Simulators.Leaks.LeakScenarioOptions options;
            Sensing.Simulators.Leaks.LeakYear year;
            try
            {
                foreach (var (name, value) in new[] { ("--demand-noise", result.GetValue(demandNoise)), ("--weather", result.GetValue(weather)) })
                {
                    if (!(value >= 0) || double.IsInfinity(value))
                    {
                        throw new ArgumentException($"{name}: must be a finite scale of 0 or more, was {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                    }
                }

                options = (result.GetValue(town) ? Sensing.Simulators.Leaks.LeakScenarioOptions.Town(result.GetValue(seed), result.GetValue(interval)) : new())
                    with
                    {
                        Seed = result.GetValue(seed),
                        IntervalSeconds = result.GetValue(interval),
                        Days = result.GetValue(days),
                        Districts = result.GetValue(districts),
                        WithPressure = result.GetValue(pressure),
                        DemandNoiseScale = result.GetValue(demandNoise),
                        WeatherScale = result.GetValue(weather),
                    };
                year = Sensing.Simulators.Leaks.LeakYear.Generate(options);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("sensing sim leaks: " + e.Message);
                return 2;
            }

            var dir = result.GetValue(output)!.FullName;
            Sensing.Simulators.Leaks.LeakFiles.Write(year, dir);
            Console.WriteLine($"sim leaks: {options.Family}, seed {options.Seed}: {year.Readings.Count:N0} readings of {year.Devices.Count} devices, {year.Leaks.Count} leaks -> {dir} (timeZone {options.TimeZone.Id})");
            return 0;
        });
        return command;
    }

    private static Command CityCommand()
    {
        var devices = new Option<int>("--devices") { Description = "Devices (up to ~190,000)", DefaultValueFactory = _ => CityOptions.Default.Devices };
        var districts = new Option<int>("--districts") { Description = "Water-network districts", DefaultValueFactory = _ => CityOptions.Default.Districts };
        var mix = new Option<string?>("--mix") { Description = "Kind mix, e.g. gas-meter=0.66,ev-charger=0.2,... (default: DOMAIN.md proportions)" };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and options repeat the run exactly", DefaultValueFactory = _ => CityOptions.Default.Seed };
        var duration = new Option<string>("--duration") { Description = "Simulated time: 90s, 15m, 6h, 14d", DefaultValueFactory = _ => "5m" };
        var start = new Option<string?>("--start") { Description = "Simulation start (ISO 8601 or Unix ms); default now when publishing, local midnight of 2026-01-05 offline" };
        var interval = new Option<int?>("--interval") { Description = "Every kind reports at this interval, seconds (default: per kind)" };
        var duplicates = new Option<double>("--duplicates") { Description = "Fraction of readings delivered twice" };
        var outOfOrder = new Option<double>("--out-of-order") { Description = "Fraction of readings delivered after the next one" };
        var binaryShare = new Option<double>("--binary-share") { Description = "Share of devices sending the compact binary reading instead of JSON", DefaultValueFactory = _ => CityOptions.Default.BinaryShare };
        var concentratorKinds = new Option<string>("--concentrator-kinds")
        {
            Description = "Kinds published through their district's concentrator (connection mode 'concentrator'), comma-separated, or 'none'",
            DefaultValueFactory = _ => string.Join(',', CityOptions.Default.ConcentratorKinds.Select(k => k.Name())),
        };
        var concentratorDistricts = new Option<double>("--concentrator-districts")
        {
            Description = "Share of districts (the first ones) with a concentrator; 0 for none",
            DefaultValueFactory = _ => CityOptions.Default.ConcentratorDistrictShare,
        };
        var noIncidents = new Option<bool>("--no-incidents") { Description = "Inject no incidents or traps" };
        var truthOut = new Option<FileInfo?>("--truth-out") { Description = "Write the ground truth CSV" };
        var readingsOut = new Option<FileInfo?>("--readings-out") { Description = "Write every reading as long CSV (timestamp,sensor,value,received)" };
        var persistent = new Option<string?>("--persistent")
        {
            Description = "Kinds that keep a persistent session, e.g. ev-charger,gas-meter (default: chargers, methane detectors, water sensors); persistent gas meters act on valve commands",
        };
        var shard = new Option<string?>("--shard") { Description = "Publish only shard i of n (0/2 and 1/2 split the city over two processes; needs --start, the same for all)" };
        var processes = new Option<int>("--processes") { Description = "Launch this many shard processes and sum their progress (above ~20,000 persistent sessions)", DefaultValueFactory = _ => 1 };
        var ackLog = new Option<FileInfo?>("--ack-log")
        {
            Description = "Record every reading a gateway acknowledged (device, sequence) in this binary file, for a checker (with shards: one file per shard, .<shard> appended)",
        };
        var commandLog = new Option<FileInfo?>("--command-log")
        {
            Description = "Record every downlink command a device received (id, device, command, first or repeat) in this text file, for a checker (with shards: one file per shard, .<shard> appended)",
        };
        var statusLines = new Option<bool>("--status-lines") { Description = "Print machine-readable status lines (used by --processes)", Hidden = true };
        var command = new Command("city", "Run the simulated city: publish over MQTT (--broker) or simulate offline as fast as possible")
        {
            devices, districts, mix, seed, duration, start, interval, Speed, duplicates, outOfOrder, binaryShare, concentratorKinds, concentratorDistricts, noIncidents, Broker, RegistryOut, truthOut, readingsOut,
            persistent, shard, processes, statusLines, ackLog, commandLog,
        };
        command.SetAction(async (result, ct) =>
        {
            SimCityOptions options;
            try
            {
                options = new SimCityOptions
                {
                    City = new CityOptions
                    {
                        Devices = result.GetValue(devices),
                        Districts = result.GetValue(districts),
                        Mix = result.GetValue(mix) is { } m ? KindMix.Parse(m) : KindMix.Default,
                        Seed = result.GetValue(seed),
                        ReportSecondsOverride = result.GetValue(interval),
                        DuplicateRate = result.GetValue(duplicates),
                        OutOfOrderRate = result.GetValue(outOfOrder),
                        BinaryShare = result.GetValue(binaryShare),
                        ConcentratorKinds = ParseKinds(result.GetValue(concentratorKinds)!, "--concentrator-kinds"),
                        ConcentratorDistrictShare = result.GetValue(concentratorDistricts),
                        PersistentKinds = result.GetValue(persistent) is { } p ? ParseKinds(p, "--persistent") : CityOptions.Default.PersistentKinds,
                    }.Validate(),
                    Duration = DurationText.Parse(result.GetValue(duration)!, "--duration"),
                    Speed = result.GetValue(Speed),
                    StartMs = result.GetValue(start) is { } s ? (CsvTime.TryParse(s, out var ms) ? ms : throw new ArgumentException($"--start: '{s}' is not ISO 8601 or Unix ms")) : null,
                    Broker = ParseBroker(result.GetValue(Broker)?.Split(',')[0]),
                    Brokers = result.GetValue(Broker)?.Split(',', StringSplitOptions.TrimEntries) is { } brokers ? [.. brokers.Select(b => ParseBroker(b)!)] : [],
                    Incidents = !result.GetValue(noIncidents),
                    RegistryOut = result.GetValue(RegistryOut)?.FullName,
                    TruthOut = result.GetValue(truthOut)?.FullName,
                    ReadingsOut = result.GetValue(readingsOut)?.FullName,
                    Shard = result.GetValue(shard) is { } sh ? CityShard.Parse(sh, "--shard") : CityShard.Whole,
                    Processes = result.GetValue(processes),
                    StatusLines = result.GetValue(statusLines),
                    AckLogOut = result.GetValue(ackLog)?.FullName,
                    CommandLogOut = result.GetValue(commandLog)?.FullName,
                    ShardArguments = ShardArguments(result, [processes, shard, start, statusLines, Broker, RegistryOut, truthOut, readingsOut]),
                }.Validate();
                if (!(options.Speed > 0))
                {
                    throw new ArgumentException("--speed: must be above 0");
                }
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("sensing sim city: " + e.Message);
                return 2;
            }

            return await new SimCityRun(options, AnsiConsole.Console).RunAsync(ct);
        });
        return command;
    }

    private static Command ReplayCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "Recorded data CSV" };
        var format = new Option<RecordingFormat>("--format") { Description = "long or wide", DefaultValueFactory = _ => RecordingFormat.Long };
        var map = new Option<FileInfo?>("--map") { Description = "Sensor map CSV: sensor,device,kind,district,metric[,report_s]" };
        var registry = new Option<FileInfo?>("--registry") { Description = "Device registry CSV (sensors named device/metric)" };
        var keep = new Option<bool>("--keep-timestamps") { Description = "Publish the recorded timestamps instead of moving the recording to start now" };
        var command = new Command("replay", "Publish a recorded series over MQTT at recorded or accelerated speed")
        {
            file, format, map, registry, Speed, Broker, keep, RegistryOut,
        };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var options = new SimReplayOptions
                {
                    Input = result.GetValue(file)!.FullName,
                    Format = result.GetValue(format),
                    Map = result.GetValue(map)?.FullName,
                    Registry = result.GetValue(registry)?.FullName,
                    Broker = ParseBroker(result.GetValue(Broker)) ?? throw new ArgumentException("--broker: required for replay"),
                    Speed = result.GetValue(Speed) is > 0 and var speed ? speed : throw new ArgumentException("--speed: must be above 0"),
                    KeepTimestamps = result.GetValue(keep),
                    RegistryOut = result.GetValue(RegistryOut)?.FullName,
                };
                if (options.Map is null && options.Registry is null)
                {
                    throw new ArgumentException("give --map, or --registry for sensors named device/metric");
                }

                return await new SimReplayRun(options, AnsiConsole.Console).RunAsync(ct);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync("sensing sim replay: " + e.Message);
                return 2;
            }
        });
        return command;
    }

    private static HashSet<DeviceKind> ParseKinds(string text, string option)
    {
        var kinds = new HashSet<DeviceKind>();
        if (text.Trim() == "none")
        {
            return kinds;
        }

        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            kinds.Add(DeviceKinds.TryParse(name, out var kind) && kind is not (DeviceKind.Unknown or DeviceKind.Concentrator)
                ? kind
                : throw new ArgumentException($"{option}: '{name}' is not a device kind (kinds: {string.Join(", ", DeviceKinds.All.ToArray().Select(k => k.Name()))}) or 'none'"));
        }

        return kinds;
    }

    // The tokens of this command line without the options the launcher sets or keeps for itself.
    private static string[] ShardArguments(ParseResult result, Option[] dropped)
    {
        var names = dropped.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet(StringComparer.Ordinal);
        var kept = new List<string>();
        var skipValue = false;
        foreach (var token in result.Tokens)
        {
            if (token.Type == TokenType.Option)
            {
                skipValue = names.Contains(token.Value);
                if (!skipValue)
                {
                    kept.Add(token.Value);
                }
            }
            else if (token.Type == TokenType.Argument && skipValue)
            {
                skipValue = false;
            }
            else
            {
                skipValue = false;
                kept.Add(token.Value);
            }
        }

        return [.. kept];
    }

    private static IPEndPoint? ParseBroker(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port > 0)
        {
            return endPoint;
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), out var port) && port is > 0 and < 65536)
        {
            var addresses = Dns.GetHostAddresses(text[..colon]);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (address is not null)
            {
                return new IPEndPoint(address, port);
            }
        }

        throw new ArgumentException($"--broker: '{text}' is not host:port");
    }

}
