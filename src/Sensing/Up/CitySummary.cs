using Sensing.Gateway;
using Sensing.Processor;
using Sensing.Simulators.Publishing;
using Spectre.Console;

namespace Sensing.Up;

/// <summary>The closing summary of <c>sensing up</c>.</summary>
public sealed record CitySummary(
    PublishCounters Fleet, GatewayCounters Gateway, ProcessorCounters Processor, long TelemetryInKafka, long AlertEventsInKafka,
    long DeadLettersInKafka, LeakCheck Leak, string FeedUrl, string StoreUrl, string KafkaBootstrap, string WorkDirectory, TimeSpan Elapsed)
{
    /// <summary>Writes the summary table and the verdict.</summary>
    public void Render(IAnsiConsole console)
    {
        var table = new Table().Title("[bold]Sensing: city run summary[/]").AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("devices (connected at peak)", $"{Fleet.Devices} ({Fleet.PeakConnected})");
        table.AddRow("readings sent by devices", $"{Fleet.Sent:N0}");
        table.AddRow("readings acknowledged (PUBACK)", $"{Fleet.Acked:N0}");
        table.AddRow("records in sensing.telemetry (readings + gateway online events)", $"{TelemetryInKafka:N0}");
        table.AddRow("readings processed", $"{Processor.Processed:N0}");
        table.AddRow("dead letters (sensing.deadletter)", $"{DeadLettersInKafka:N0}");
        table.AddRow("alert events (sensing.alerts)", $"{AlertEventsInKafka:N0}");
        table.AddRow("device errors", $"{Fleet.Errors:N0}");
        table.AddRow("elapsed", $"{Elapsed:mm\\:ss}");
        console.Write(table);

        var mark = (bool ok) => ok ? "[green]yes[/]" : "[red]NO[/]";
        console.MarkupLineInterpolated($"Injected methane leak on [bold]{Leak.Device}[/]: alert [bold]{Leak.AlertId}[/] severity {Leak.Severity}{(Leak.Cleared ? ", cleared" : "")}");
        console.MarkupLine($"  in Kafka sensing.alerts: {mark(Leak.InKafka)}   in the store (PromQL): {mark(Leak.InStore)}   in the feed API: {mark(Leak.InFeed)}");
        console.MarkupLineInterpolated($"Where to look: feed [link]{FeedUrl}/api/alerts?state=all[/], store [link]{StoreUrl}/api/v1/query?query=sensing_alert_value[/], Kafka {KafkaBootstrap}");
        console.MarkupLine(Leak.Passed ? "[green bold]PASS[/]: the leak's alert reached Kafka, the store and the feed." : "[red bold]FAIL[/]: the leak's alert is missing somewhere (see above).");
    }
}
