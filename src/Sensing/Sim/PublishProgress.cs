using System.Diagnostics;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Replay;
using Sensing.Cli;
using Spectre.Console;

namespace Sensing.Sim;

/// <summary>Live progress of a publishing run (devices connected, msg/s, acks, errors, simulation clock) and its closing summary.</summary>
/// <param name="read">Reads the counters now: one run's, or the sum of a city's shards.</param>
public sealed class PublishProgress(Func<PublishSnapshot> read)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Progress of one run.</summary>
    public PublishProgress(PublishCounters counters)
        : this(counters.Snapshot)
    {
    }

    /// <summary>Time since the progress was created.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Shows a refreshing status line on a terminal (a line every 5 s otherwise) until <paramref name="work"/> completes.</summary>
    public async Task ShowWhileAsync(IAnsiConsole console, Task work)
    {
        long lastSent = 0;
        var lastAt = TimeSpan.Zero;
        string Line()
        {
            var counters = read();
            var now = _clock.Elapsed;
            var rate = (counters.Sent - lastSent) / Math.Max(0.001, (now - lastAt).TotalSeconds);
            (lastSent, lastAt) = (counters.Sent, now);
            var simulated = counters.SimulatedTimeMs == 0 ? "-" : CsvTime.Format(counters.SimulatedTimeMs)[..19];
            return $"{now:mm\\:ss}  sim clock {simulated}  devices connected {counters.Connected}/{counters.Devices}  " +
                $"sent {counters.Sent:N0} ({rate:N0} msg/s)  acked {counters.Acked:N0}  duplicates {counters.Duplicates:N0}  errors {counters.Errors:N0}";
        }

        await LiveStatus.ShowWhileAsync(console, work, "connecting devices", Line);
    }

    /// <summary>Writes the closing table.</summary>
    public void Summary(IAnsiConsole console, string title, IEnumerable<(string What, string Value)> extra)
    {
        var counters = read();
        var elapsed = _clock.Elapsed;
        var table = new Table().Title($"[bold]{Markup.Escape(title)}[/]").AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("devices (connected at peak)", $"{counters.Devices:N0} ({counters.PeakConnected:N0})");
        table.AddRow("readings sent (incl. duplicates)", $"{counters.Sent:N0} ({counters.Duplicates:N0})");
        table.AddRow("acknowledged (PUBACK)", $"{counters.Acked:N0}");
        table.AddRow("errors", $"{counters.Errors:N0}");
        table.AddRow("elapsed", $"{elapsed:mm\\:ss\\.f}");
        table.AddRow("msg/s (average)", $"{counters.Sent / Math.Max(0.001, elapsed.TotalSeconds):N0}");
        foreach (var (what, value) in extra)
        {
            table.AddRow(Markup.Escape(what), Markup.Escape(value));
        }

        console.Write(table);
    }
}
