using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Load;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Replay;
using Sensing.Simulators.Truth;
using Spectre.Console;

namespace Sensing.Sim;

/// <summary>Settings of <c>sensing sim city</c>.</summary>
public sealed record SimCityOptions
{
    /// <summary>The city's shape.</summary>
    public CityOptions City { get; init; } = CityOptions.Default;

    /// <summary>Simulated time covered.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Simulated seconds per real second.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Simulation start, Unix ms; null for now when publishing, local midnight of Monday 2026-01-05 offline.</summary>
    public long? StartMs { get; init; }

    /// <summary>MQTT endpoint to publish to; null to simulate offline as fast as possible.</summary>
    public IPEndPoint? Broker { get; init; }

    /// <summary>
    /// Every endpoint of the city (several gateways; one holds ~20,000 connections here): devices spread over them and
    /// fail over to another when theirs is lost (<see cref="PublishOptions.Brokers"/>). Empty: <see cref="Broker"/> alone.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Brokers { get; init; } = [];

    /// <summary>Inject the incidents and traps that fit the run.</summary>
    public bool Incidents { get; init; } = true;

    /// <summary>Where to write the registry, or null.</summary>
    public string? RegistryOut { get; init; }

    /// <summary>Where to write the ground truth, or null.</summary>
    public string? TruthOut { get; init; }

    /// <summary>Where to write every reading as long-form CSV, or null.</summary>
    public string? ReadingsOut { get; init; }

    /// <summary>
    /// Where to record every acknowledged reading (<see cref="AckLog"/>), or null; a shard of several writes
    /// <c>PATH.&lt;shard index&gt;</c>.
    /// </summary>
    public string? AckLogOut { get; init; }

    /// <summary>The ack log file this process writes, or null.</summary>
    public string? AckLogFile => AckLogOut is null ? null : Shard.IsWhole ? AckLogOut : $"{AckLogOut}.{Shard.Index}";

    /// <summary>
    /// Where to record every command a device received (<see cref="CommandLog"/>), or null; a shard of several writes
    /// <c>PATH.&lt;shard index&gt;</c>.
    /// </summary>
    public string? CommandLogOut { get; init; }

    /// <summary>The command log file this process writes, or null.</summary>
    public string? CommandLogFile => CommandLogOut is null ? null : Shard.IsWhole ? CommandLogOut : $"{CommandLogOut}.{Shard.Index}";

    /// <summary>The part of the city this process publishes; shards other than 0 leave the registry and truth to shard 0.</summary>
    public CityShard Shard { get; init; } = CityShard.Whole;

    /// <summary>Shard processes to launch and watch (1: publish in this process).</summary>
    public int Processes { get; init; } = 1;

    /// <summary>
    /// The command-line arguments every shard process gets (<c>sim city</c> and the city's options), to which the
    /// launcher adds <c>--shard</c>, <c>--start</c> and <c>--status-lines</c>.
    /// </summary>
    public IReadOnlyList<string> ShardArguments { get; init; } = [];

    /// <summary>Print machine-readable <c>status</c> lines instead of the live line and summary (for a launching process).</summary>
    public bool StatusLines { get; init; }

    /// <summary>Checks the combination of options; throws naming the option at fault.</summary>
    public SimCityOptions Validate()
    {
        if (Processes is < 1 or > 64)
        {
            throw new ArgumentException($"--processes: must be 1-64, was {Processes}");
        }

        if ((Processes > 1 || !Shard.IsWhole) && Broker is null)
        {
            throw new ArgumentException((Processes > 1 ? "--processes" : "--shard") + ": needs --broker (sharding splits the devices' connections)");
        }

        if (Processes > 1 && !Shard.IsWhole)
        {
            throw new ArgumentException("--processes: launches the shards itself; give either --processes or --shard");
        }

        if (Processes > 1 && ReadingsOut is not null)
        {
            throw new ArgumentException("--readings-out: one file per process; run the shards with --shard to record each");
        }

        if (!Shard.IsWhole && StartMs is null)
        {
            throw new ArgumentException("--shard: needs --start, the same for every shard, so the shards share one clock and one incident plan");
        }

        return this;
    }
}

/// <summary><c>sensing sim city</c>: builds the city, writes registry and ground truth, then publishes or records it.</summary>
public sealed class SimCityRun(SimCityOptions options, IAnsiConsole console)
{
    /// <summary>The offline default start: local midnight of Monday 2026-01-05 in a city at <paramref name="utcOffset"/>.</summary>
    public static long OfflineStartMs(TimeSpan utcOffset) => new DateTimeOffset(2026, 1, 5, 0, 0, 0, utcOffset).ToUnixTimeMilliseconds();

    /// <summary>Runs; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var city = CityModel.Create(options.City);

        // Shard processes need time to start and connect before the shared start.
        var start = options.StartMs ?? (options.Broker is null ? OfflineStartMs(options.City.UtcOffset)
            : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (options.Processes > 1 ? SimShardsRun.StartupMs : 0));
        var plan = options.Incidents ? IncidentPlan.Apply(city, start, options.Duration) : null;
        console.MarkupLineInterpolated($"city: {city.Devices.Count:N0} devices over {city.Districts.Count} districts, seed {city.Options.Seed}, from {CsvTime.Format(start)} for {options.Duration}");
        foreach (var group in city.Devices.GroupBy(d => d.Info.Kind).OrderBy(g => g.Key))
        {
            var own = group.FirstOrDefault(d => d.Concentrator < 0) ?? group.First();
            var behind = group.Count(d => d.Concentrator >= 0);
            console.MarkupLineInterpolated($"  {group.Key,-22} {group.Count(),8:N0}  every {own.Info.ReportIntervalSeconds} s, {(own.Persistent ? "persistent session" : "connect-publish-disconnect")}{(behind > 0 ? $", {behind:N0} through a concentrator" : "")}");
        }

        if (city.Concentrators.Count > 0)
        {
            console.MarkupLineInterpolated($"  concentrators          {city.Concentrators.Count,8:N0}  one connection per district ({string.Join(", ", city.Concentrators.Select(c => c.Info.Id))}), batches of the readings due together");
        }

        console.MarkupLineInterpolated($"incidents and traps: {city.Incidents.Count}{(plan is { Skipped.Count: > 0 } ? $"; left out: {string.Join("; ", plan.Skipped)}" : "")}");
        WriteRegistryAndTruth(city);
        if (options.Processes > 1)
        {
            return await new SimShardsRun(options with { StartMs = start }, console).RunAsync(cancellationToken);
        }

        using var readings = options.ReadingsOut is { } path ? new ReadingsCsvWriter(path) : null;
        if (options.Broker is null)
        {
            var clock = Stopwatch.StartNew();
            var count = CityRecorder.Run(city, start, options.Duration, (r, m) => readings?.Write(r.Device.Info.Id, r.EventTimeMs, r.TimeMs, m));
            console.MarkupLineInterpolated($"simulated offline: {count:N0} readings in {clock.Elapsed.TotalSeconds:0.0} s ({count / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} readings/s){(readings is null ? "" : $", {readings.Lines:N0} CSV lines to {options.ReadingsOut}")}");
            return 0;
        }

        using var ackLog = options.AckLogFile is { } ackPath ? new AckLog(ackPath) : null;
        using var commandLog = options.CommandLogFile is { } commandPath ? new CommandLog(commandPath) : null;
        var publisher = new CityPublisher(city, new PublishOptions
        {
            Broker = options.Broker, Brokers = options.Brokers, StartMs = start, Duration = options.Duration, Speed = options.Speed, Shard = options.Shard,
        })
        {
            AckLog = ackLog,
            CommandLog = commandLog,
            OnReading = readings is null ? null : (r, m) => readings.Write(r.Device.Info.Id, r.EventTimeMs, r.TimeMs, m.Span),
        };
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        TimeSpan Cpu()
        {
            process.Refresh();
            return process.TotalProcessorTime - cpuBefore;
        }

        var run = publisher.RunAsync(cancellationToken);
        if (options.StatusLines)
        {
            await ShardStatus.WriteWhileAsync(Console.Out, run, publisher.Counters, Cpu);
            return publisher.Counters.Errors == 0 ? 0 : 1;
        }

        var progress = new PublishProgress(publisher.Counters);
        await progress.ShowWhileAsync(console, run);
        var cpu = Cpu();
        var sent = Math.Max(1, publisher.Counters.Sent);
        var ack = publisher.Counters.AckLatency;
        progress.Summary(console, "sensing sim city: summary" + (options.Shard.IsWhole ? "" : $" (shard {options.Shard})"),
        [
            ("broker", options.Brokers.Count > 1 ? string.Join(", ", options.Brokers) : options.Broker.ToString()),
            ("sessions connected again after a drop", $"{publisher.Counters.Reconnects:N0}"),
            ("speed", $"{options.Speed}x"),
            ("simulator CPU (all cores)", $"{cpu.TotalSeconds:0.0} s, {cpu.TotalMicroseconds / sent:0.0} us per message"),
            ("downlink commands acted on (ignored, received again)", $"{publisher.Counters.Commands:N0} ({publisher.Counters.IgnoredCommands:N0}, {publisher.Counters.RepeatedCommands:N0})"),
            ("PUBLISH to PUBACK p50 / p99 / max", AckLatencyText(ack)),
            ("connections refused (CONNACK code)", $"{publisher.Counters.Refused:N0}"),
        ]);
        // One unwrapped line for scripts.
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result sent={publisher.Counters.Sent} acked={publisher.Counters.Acked} errors={publisher.Counters.Errors} refused={publisher.Counters.Refused} " +
            $"ack_p50_ms={ack.Percentile(50) / 1000.0:0.0} ack_p99_ms={ack.Percentile(99) / 1000.0:0.0} ack_max_ms={ack.Max / 1000.0:0.0}"));
        return publisher.Counters.Errors == 0 ? 0 : 1;
    }

    /// <summary>PUBLISH-to-PUBACK percentiles of a histogram in microseconds, as milliseconds.</summary>
    internal static string AckLatencyText(LatencyHistogram ack) => ack.Count == 0 ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{ack.Percentile(50) / 1000.0:0.0} / {ack.Percentile(99) / 1000.0:0.0} / {ack.Max / 1000.0:0.0} ms ({ack.Count:N0} PUBACKs)");

    private void WriteRegistryAndTruth(CityModel city)
    {
        // Every shard builds the same city; shard 0 writes what they share.
        if (options.Shard.Index != 0 && (options.RegistryOut ?? options.TruthOut) is not null)
        {
            console.MarkupLineInterpolated($"registry and ground truth: written by shard 0/{options.Shard.Count} (the same for every shard)");
            return;
        }

        if (options.RegistryOut is { } registryOut)
        {
            city.WriteRegistry(registryOut);
            console.MarkupLineInterpolated($"registry: {registryOut}");
        }

        if (options.TruthOut is { } truthOut)
        {
            TruthFile.Write(truthOut, city.Incidents.Select(i => i.Truth));
            console.MarkupLineInterpolated($"ground truth: {truthOut}");
        }
    }
}
