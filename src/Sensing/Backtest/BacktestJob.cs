using System.Diagnostics;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Rules;
using Sensing.Simulators.Backtest;
using Sensing.Simulators.Leaks;
using Sensing.Simulators.Replay;
using Sensing.Simulators.Truth;
using Spectre.Console;

namespace Sensing.Backtest;

/// <summary>Settings of <c>sensing backtest</c>.</summary>
public sealed record BacktestOptions
{
    /// <summary>The recording (long or wide CSV).</summary>
    public required string Input { get; init; }

    /// <summary>Long or wide.</summary>
    public RecordingFormat Format { get; init; } = RecordingFormat.Long;

    /// <summary>Sensor map, or null when sensors are named <c>device/metric</c>.</summary>
    public string? Map { get; init; }

    /// <summary>Device registry (kinds, districts, parameters), or null when the map names every device.</summary>
    public string? Registry { get; init; }

    /// <summary>Ground truth to score against, or null.</summary>
    public string? Truth { get; init; }

    /// <summary>Where the alerts go, as JSON lines.</summary>
    public required string Out { get; init; }

    /// <summary>The rules the engine runs with (<c>--rules</c>), or null for the defaults.</summary>
    public RuleSet? Rules { get; init; }
}

/// <summary><c>sensing backtest</c>: the detection engine over recorded data, alerts as JSON lines, scored against ground truth.</summary>
public sealed class BacktestJob(BacktestOptions options, IAnsiConsole console)
{
    /// <summary>Runs; returns the exit code (0 also when detection misses: the score is the result).</summary>
    public int Run()
    {
        if (options.Map is null && options.Registry is null)
        {
            throw new ArgumentException("backtest: give --registry (sensors named device/metric) or --map");
        }

        var clock = Stopwatch.StartNew();
        var registry = options.Registry is null ? [] : DeviceRegistryFile.Read(options.Registry);
        var map = options.Map is null ? SensorMap.FromRegistry(registry) : SensorMap.Load(options.Map, registry);
        var readings = RecordedReadings.Group(RecordingReader.Read(options.Input, options.Format), map, options.Input);
        var read = clock.Elapsed;
        if (options.Rules is { } rules)
        {
            console.MarkupLineInterpolated($"backtest: rules {rules.File} (sha256 {rules.Sha256}): {rules.Settings.Count} keys set");
        }

        var result = BacktestRun.Run(readings, map.Devices.Values, options.Rules?.Detection ?? DetectionOptions.Default);
        AlertLines.Write(options.Out, result.Alerts);
        console.MarkupLineInterpolated(
            $"backtest: {result.Readings:N0} readings of {map.Devices.Count:N0} devices (read in {read.TotalSeconds:0.0} s, engine {(clock.Elapsed - read).TotalSeconds:0.0} s); {result.Alerts.Count} alerts -> {options.Out}");
        if (options.Truth is { } leakPath && LeakFiles.IsLeakTruth(leakPath))
        {
            // A leak truth file (sensing sim leaks): any alert on a leak's district between its start and 7 days after
            // it reached full size detects it; every other alert on a water district is a false alarm.
            var districts = map.Devices.Values.Where(d => d.Kind is DeviceKind.WaterFlow or DeviceKind.WaterPressure).Select(d => d.District).ToHashSet(StringComparer.Ordinal);
            var alarms = result.Alerts.Where(a => districts.Contains(a.Source)).Select(a => new LeakAlarm(a.Source, a.RaisedAtMs, a.Condition));
            foreach (var line in LeakFiles.Report(LeakScore.Compute(LeakFiles.ReadTruth(leakPath), alarms, TimeSpan.FromDays(7))))
            {
                console.WriteLine(line);
            }
        }
        else if (options.Truth is { } truthPath)
        {
            var score = DetectionScore.Compute(TruthFile.Read(truthPath), result.Alerts);
            foreach (var line in score.Report())
            {
                console.WriteLine(line);
            }
        }

        return 0;
    }
}
