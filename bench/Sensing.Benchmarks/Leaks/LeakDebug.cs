using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Simulators.Leaks;
using Sensing.Simulators.Replay;

namespace Sensing.Benchmarks.Leaks;

/// <summary>
/// <c>leak-debug seed interval pressure|town [quiet]</c> (pressure: true or false; town: a town family's scenario; quiet:
/// the quieter city of <c>leak-backtest ... quiet</c>): every raise of one scenario with its message, marked true or false (a
/// false one with the district's latest leak before it), and the leaks. <c>LEAK_RULES=1</c> runs the leak rules of
/// <c>leak-backtest</c> (and its trial variables) instead of the defaults.
/// </summary>
public static class LeakDebug
{
    /// <summary>Runs.</summary>
    public static int Run(TextWriter output, string[] args)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");
        var seed = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        var interval = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var scenario = (args[2] == "town"
            ? LeakScenarioOptions.Town(seed, interval)
            : new LeakScenarioOptions { Seed = seed, IntervalSeconds = interval, WithPressure = args[2] == "true" }) with { TimeZone = zone };
        scenario = LeakBacktestDriver.Quiet(scenario, args.Length > 3 && args[3] == "quiet");

        var year = LeakYear.Generate(scenario);
        foreach (var leak in year.Leaks)
        {
            output.WriteLine("leak " + leak.ToCsv());
        }

        var registry = new DeviceRegistry();
        registry.Upsert(year.Devices);
        var sink = new Sink(output, year);
        var engine = new DetectionEngine(Environment.GetEnvironmentVariable("LEAK_RULES") == "1" ? LeakBacktestDriver.LeakRules(DetectionOptions.Default with { TimeZone = zone }) : DetectionOptions.Default with { TimeZone = zone }, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        ulong sequence = 0;
        foreach (var r in year.Readings)
        {
            registry.TryFind(r.Device.IdUtf8, out var number);
            var length = TelemetryFrame.Write(frame, r.Device.IdUtf8, r.Device.Kind, r.TimeMs, r.ReceivedMs, ++sequence, default, r.Metrics);
            TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var decoded, out _);
            engine.Process(number, decoded);
        }

        return 0;
    }

    private sealed class Sink(TextWriter output, LeakYear year) : IAlertSink
    {
        public void OnAlert(AlertEvent alert)
        {
            if (alert.Type == AlertEventType.Updated && alert.Condition == AlertCondition.InletLeak.Name())
            {
                // An escalation of an open leak alert (growth before the last leak settled): not a raise, not scored.
                output.WriteLine($"UPDATE {CsvTime.Format(alert.EventTimeMs)} {alert.Condition} {alert.Message}");
                return;
            }

            if (alert.Type != AlertEventType.Raised)
            {
                return;
            }

            var hit = year.Leaks.Any(l => l.District == alert.Source && alert.RaisedAtMs >= l.StartMs && alert.RaisedAtMs <= l.FullMs + (7 * 86_400_000L));
            output.WriteLine($"{(hit ? "TRUE " : "FALSE")} {CsvTime.Format(alert.RaisedAtMs)} {alert.Condition} {alert.Message}");
            if (!hit)
            {
                // Context of a false alert: the district's latest leak before it (a rest of its growth found late?).
                var before = year.Leaks.Where(l => l.District == alert.Source && l.StartMs <= alert.RaisedAtMs).MaxBy(l => l.StartMs);
                output.WriteLine(before is null
                    ? "      no leak on the district before it"
                    : $"      {(alert.RaisedAtMs - before.FullMs - (7 * 86_400_000L)) / 86_400_000.0:0.0} d after the window of {before.ToCsv()}");
            }
        }
    }
}
