using System.Diagnostics;
using System.Net;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;
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

    /// <summary>Inject the incidents and traps that fit the run.</summary>
    public bool Incidents { get; init; } = true;

    /// <summary>Where to write the registry, or null.</summary>
    public string? RegistryOut { get; init; }

    /// <summary>Where to write the ground truth, or null.</summary>
    public string? TruthOut { get; init; }

    /// <summary>Where to write every reading as long-form CSV, or null.</summary>
    public string? ReadingsOut { get; init; }
}

/// <summary><c>sensing sim city</c>: builds the city, writes registry and ground truth, then publishes or records it.</summary>
public sealed class SimCityRun(SimCityOptions options, IAnsiConsole console)
{
    /// <summary>The offline default start: local midnight of Monday 2026-01-05 in a city at <paramref name="utcOffset"/>.</summary>
    public static long OfflineStartMs(TimeSpan utcOffset) => new DateTimeOffset(2026, 1, 5, 0, 0, 0, utcOffset).ToUnixTimeMilliseconds();

    /// <summary>Runs; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var city = CityModel.Create(options.City);
        var start = options.StartMs ?? (options.Broker is null ? OfflineStartMs(options.City.UtcOffset) : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var plan = options.Incidents ? IncidentPlan.Apply(city, start, options.Duration) : null;
        console.MarkupLineInterpolated($"city: {city.Devices.Count:N0} devices over {city.Districts.Count} districts, seed {city.Options.Seed}, from {CsvTime.Format(start)} for {options.Duration}");
        foreach (var group in city.Devices.GroupBy(d => d.Info.Kind).OrderBy(g => g.Key))
        {
            var own = group.FirstOrDefault(d => d.Concentrator < 0) ?? group.First();
            var behind = group.Count(d => d.Concentrator >= 0);
            console.MarkupLineInterpolated($"  {group.Key,-18} {group.Count(),8:N0}  every {own.Info.ReportIntervalSeconds} s, {(own.Persistent ? "persistent session" : "connect-publish-disconnect")}{(behind > 0 ? $", {behind:N0} through a concentrator" : "")}");
        }

        if (city.Concentrators.Count > 0)
        {
            console.MarkupLineInterpolated($"  concentrators      {city.Concentrators.Count,8:N0}  one connection per district ({string.Join(", ", city.Concentrators.Select(c => c.Info.Id))}), batches of the readings due together");
        }

        console.MarkupLineInterpolated($"incidents and traps: {city.Incidents.Count}{(plan is { Skipped.Count: > 0 } ? $"; left out: {string.Join("; ", plan.Skipped)}" : "")}");
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

        using var readings = options.ReadingsOut is { } path ? new ReadingsCsvWriter(path) : null;
        if (options.Broker is null)
        {
            var clock = Stopwatch.StartNew();
            var count = CityRecorder.Run(city, start, options.Duration, (r, m) => readings?.Write(r.Device.Info.Id, r.EventTimeMs, r.TimeMs, m));
            console.MarkupLineInterpolated($"simulated offline: {count:N0} readings in {clock.Elapsed.TotalSeconds:0.0} s ({count / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} readings/s){(readings is null ? "" : $", {readings.Lines:N0} CSV lines to {options.ReadingsOut}")}");
            return 0;
        }

        var publisher = new CityPublisher(city, new PublishOptions { Broker = options.Broker, StartMs = start, Duration = options.Duration, Speed = options.Speed })
        {
            OnReading = readings is null ? null : (r, m) => readings.Write(r.Device.Info.Id, r.EventTimeMs, r.TimeMs, m.Span),
        };
        var progress = new PublishProgress(publisher.Counters);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        await progress.ShowWhileAsync(console, publisher.RunAsync(cancellationToken));
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var sent = Math.Max(1, publisher.Counters.Sent);
        progress.Summary(console, "sensing sim city: summary",
        [
            ("broker", options.Broker.ToString()),
            ("speed", $"{options.Speed}x"),
            ("simulator CPU (all cores)", $"{cpu.TotalSeconds:0.0} s, {cpu.TotalMicroseconds / sent:0.0} us per message"),
        ]);
        return publisher.Counters.Errors == 0 ? 0 : 1;
    }
}
