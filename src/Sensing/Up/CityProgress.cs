using System.Diagnostics;
using Sensing.Gateway;
using Sensing.Processor;
using Sensing.Simulators.Publishing;
using Sensing.Cli;
using Spectre.Console;

namespace Sensing.Up;

/// <summary>The live progress of <c>sensing up</c>: a refreshing table on a terminal, a line every 5 s otherwise.</summary>
public sealed class CityProgress(PublishCounters fleet, GatewayCounters gateway, ProcessorCounters processor, TimeSpan duration)
{
    /// <summary>Shows progress until <paramref name="work"/> completes.</summary>
    public async Task ShowWhileAsync(IAnsiConsole console, Task work)
    {
        var clock = Stopwatch.StartNew();
        long lastSent = 0;
        var lastAt = TimeSpan.Zero;
        string Line()
        {
            var now = clock.Elapsed;
            var rate = (fleet.Sent - lastSent) / Math.Max(0.001, (now - lastAt).TotalSeconds);
            lastSent = fleet.Sent;
            lastAt = now;
            return $"{now:mm\\:ss}/{duration:mm\\:ss}  devices {fleet.Connected}/{fleet.Devices}  sent {fleet.Sent} ({rate:F0}/s)  " +
                $"acked {fleet.Acked}  in Kafka {gateway.PersistedInKafka}  processed {processor.Processed}  alert events {processor.AlertEvents}  " +
                $"dead letters {gateway.DeadLetters + processor.DeadLettered}  errors {fleet.Errors}";
        }

        await LiveStatus.ShowWhileAsync(console, work, "starting fleet", Line);
    }
}
