using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Simulators.Load;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Truth;
using Spectre.Console;

namespace Sensing.Up;

/// <summary>
/// The closing summary of <c>sensing up</c>: the books (acknowledged readings, Kafka, what the processors committed),
/// the ground truth scored, the sensor-to-alert latency, each part's cost and the gateway storm; then one
/// <c>result</c> line with every figure for scripts and tests, and the verdict.
/// </summary>
public sealed record CitySummary(
    UpOptions Options, int Devices, int PersistentSessions, int Gateways, int Shards, PublishSnapshot Fleet, TelemetryAudit Telemetry,
    long TelemetryRecords, long Committed, long Stored, DetectionScore Score, AlertWatch Alerts, GatewayStorm Storm, PartCosts Costs, LeakCheck Leak,
    IReadOnlyList<string> Crashed, string FeedUrl, string StoreUrl, string KafkaBootstrap, string WorkDirectory, TimeSpan Elapsed)
{
    /// <summary>Every acknowledged reading has a record in Kafka: no fewer readings there than acknowledgements.</summary>
    public bool BooksBalance => Telemetry.Readings >= Fleet.Acked && Telemetry.Undecodable == 0 && Telemetry.Records == TelemetryRecords;

    /// <summary>The processors committed every record of <c>sensing.telemetry</c>.</summary>
    public bool AllProcessed => Committed >= TelemetryRecords;

    /// <summary>The store sinks (if any) committed every record of <c>sensing.telemetry</c>: every reading is stored.</summary>
    public bool AllStored => Options.StoreSinks == 0 || Stored >= TelemetryRecords;

    /// <summary>Every incident detected, nothing raised on a trap.</summary>
    public bool TruthHolds => Score.Missed == 0 && !Score.FalsePositivesOnTraps.Any();

    /// <summary>The killed gateway's sessions all came back (true when no gateway was killed).</summary>
    public bool StormRecovered => !Storm.Planned || (Storm.KilledAtMs is not null && Storm.Recovery is not null);

    /// <summary>The books balanced from the devices' ack logs and the alert topic (null when not checked).</summary>
    public BooksCheck? Books { get; init; }

    /// <summary>The store's one-minute aggregates balanced against the topic's readings (null when not checked).</summary>
    public StoreBooks? StoreBooks { get; init; }

    /// <summary>The alert ids of <c>sensing.alerts</c> against an uninterrupted replay of the same input (null when not checked).</summary>
    public ReplayComparison? Replay { get; init; }

    /// <summary>The faults of a fault run and what became of them (empty for a plain run).</summary>
    public IReadOnlyList<FaultOutcome> Faults { get; init; } = [];

    /// <summary>
    /// The memory each kind of part must stay under, peak resident set of its largest process: with the whole city, a
    /// gateway holds the registry and up to 16,000 sessions once one is lost (378 MiB measured with 15,100), a processor
    /// the detection state of half the city and its batches in flight (1.2-1.6 GiB), a store sink its open minutes and
    /// write buffers, the feed every alert of the run.
    /// </summary>
    public static IReadOnlyDictionary<string, long> MemoryBoundsMiB { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["gateway"] = 1024, ["processor"] = 2560, [CityRun.StoreSinkKind] = 2048, ["feed"] = 1024,
    };

    /// <summary>The kinds of part whose largest process went over its <see cref="MemoryBoundsMiB"/>.</summary>
    public IReadOnlyList<string> OverMemoryBound =>
        [.. Costs.ByKind().Where(k => MemoryBoundsMiB.TryGetValue(k.Kind, out var bound) && k.PeakResidentBytes > bound * 1048576).Select(k => k.Kind)];

    /// <summary>The honest devices' PUBLISH-to-PUBACK latencies, microseconds, over every shard (empty when none reported).</summary>
    public LatencyHistogram AckLatency { get; init; } = new();

    /// <summary>Simulator shards whose latency histogram arrived.</summary>
    public int AckLatencyShards { get; init; }

    /// <summary>The fuzzer of a fuzz run; null for any other run.</summary>
    public CityFuzz? Fuzz { get; init; }

    /// <summary>When the fleet began publishing, Unix ms.</summary>
    public long PublishStartMs { get; init; }

    /// <summary>Honest PUBLISH-to-PUBACK latency at <paramref name="percentile"/>, ms; 0 when nothing was acknowledged.</summary>
    public double AckMs(double percentile) => AckLatency.Percentile(percentile) / 1000.0;

    /// <summary>
    /// A fuzz run's own checks (true for any other run): the fuzzer reported, sent every packet asked for, and every
    /// hostile connection ended as the MQTT specifications allow; no honest device refused; honest readings acknowledged
    /// within <see cref="UpOptions.FuzzAckP99BoundMs"/> at p99. Lost readings and gateway memory are checked for every run.
    /// </summary>
    public bool FuzzHeld => Fuzz is not { } fuzz
        || (fuzz.Reported && fuzz.Packets >= Options.FuzzPackets && fuzz.Unexpected == 0 && Fleet.Refused == 0 && AckMs(99) <= Options.FuzzAckP99BoundMs);

    /// <summary>Every fault of a fault run was injected and recovered from.</summary>
    public bool FaultsRecovered => Faults.All(f => f.RecoveredAtMs is not null);

    /// <summary>Every check passed.</summary>
    public bool Passed => BooksBalance && AllProcessed && AllStored && TruthHolds && StormRecovered && Leak.Passed && Crashed.Count == 0 && Fleet.Errors == 0
        && (Books?.Balanced ?? true) && (StoreBooks?.Balanced ?? true) && (Replay?.Equal ?? true) && FaultsRecovered && OverMemoryBound.Count == 0 && FuzzHeld;

    /// <summary>Device-offline alerts raised after the kill, with a device or a district as their source.</summary>
    private (int Devices, int Districts, int Cleared, string Examples) StormAlerts
    {
        get
        {
            if (Storm.KilledAtMs is not { } killed)
            {
                return (0, 0, 0, "");
            }

            // Not the ones that detected an injected incident (a device made silent on purpose).
            var detections = Score.Outcomes.Where(o => o.Detection is not null).Select(o => o.Detection!.Id).ToHashSet(StringComparer.Ordinal);
            var offline = Alerts.Alerts.Where(a => a.Condition == AlertCondition.DeviceOffline.Name() && a.RaisedAtMs >= killed - 60_000 && !detections.Contains(a.Id)).ToList();
            var districts = offline.Count(a => !a.Source.Contains('-', StringComparison.Ordinal));
            // Each example with when it was raised, in seconds of the publishing: after the kill, or after the fleet
            // stopped (a session that ended without its DISCONNECT then).
            return (offline.Count - districts, districts, offline.Count(a => a.ClearedAtMs is not null), string.Join(", ", offline
                .OrderBy(a => a.Source, StringComparer.Ordinal).Take(5)
                .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Source} at {(a.RaisedAtMs - PublishStartMs) / 1000.0:0} s"))));
        }
    }

    /// <summary>Writes the summary tables, the result line and the verdict.</summary>
    public void Render(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var mark = (bool ok) => ok ? "[green]yes[/]" : "[red]NO[/]";
        var table = new Table().Title("[bold]Sensing: city run summary[/]").AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("devices (persistent sessions)", $"{Devices:N0} ({PersistentSessions:N0}), {Options.Districts} districts");
        table.AddRow("parts", $"{Gateways} gateways, {Options.Processors} processors, {(Options.StoreSinks > 0 ? $"{Options.StoreSinks} store sink(s), " : "")}1 feed, {Shards} simulator processes");
        table.AddRow("readings sent / acknowledged (PUBACK)", $"{Fleet.Sent:N0} / {Fleet.Acked:N0}");
        table.AddRow("of those sent: connection lost before the PUBACK / no session (the device reconnecting)", $"{Fleet.Unacked:N0} / {Fleet.Offline:N0}");
        table.AddRow("readings in sensing.telemetry (distinct, duplicates)", $"{Telemetry.Readings:N0} ({Telemetry.UniqueReadings:N0}, {Telemetry.DuplicateReadings:N0})");
        table.AddRow("acknowledged readings all in Kafka (readings there - acknowledged)", $"{mark(BooksBalance)} ({Telemetry.Readings - Fleet.Acked:+#,0;-#,0;0})");
        table.AddRow("records in sensing.telemetry / committed by the processors", $"{TelemetryRecords:N0} / {Committed:N0} {mark(AllProcessed)}");
        if (Options.StoreSinks > 0)
        {
            table.AddRow("records in sensing.telemetry / committed by the store sinks (stored)", $"{TelemetryRecords:N0} / {Stored:N0} {mark(AllStored)}");
        }

        if (Books is { } books)
        {
            table.AddRow("ack logs: acknowledged (distinct) / of those not in sensing.telemetry", $"{books.Acknowledged:N0} ({books.AcknowledgedDistinct:N0}) / {books.Lost:N0} {mark(books.Lost == 0)}"
                + (books.LostExamples.Count > 0 ? Markup.Escape($" ({string.Join(", ", books.LostExamples)})") : ""));
            table.AddRow("alerts raised twice (another id while active) / raise events replayed (same id)", $"{books.RaisedTwice:N0} {mark(books.RaisedTwice == 0)} / {books.Republished:N0}");
            foreach (var example in books.RaisedTwiceExamples)
            {
                table.AddRow("  raised twice (UTC)", Markup.Escape(example));
            }

            table.AddRow("alerts made active again after their clear (same id, a later raise or update)", $"{books.Reopened:N0} {mark(books.Reopened == 0)}");
            foreach (var example in books.ReopenedExamples)
            {
                table.AddRow("  made active again (UTC)", Markup.Escape(example));
            }

            table.AddRow("feed's active alerts against sensing.alerts: missing / extra", $"{books.FeedMissing:N0} / {books.FeedExtra:N0} {mark(books.FeedMissing == 0 && books.FeedExtra == 0)}");
            foreach (var example in books.FeedExamples)
            {
                table.AddRow("  feed against the topic (UTC)", Markup.Escape(example));
            }

            if (books.Commands is { } c)
            {
                table.AddRow("device commands issued (distinct ids in sensing.commands) / delivered (in the devices' command logs)", $"{c.Issued:N0} / {c.Delivered:N0}");
                table.AddRow("device commands lost (issued, never received) / acted on twice / received but never issued", $"{c.Lost:N0} / {c.ActedTwice:N0} / {c.Unissued:N0} {mark(c.Balanced)}"
                    + (c.LostExamples.Count > 0 ? Markup.Escape($" ({string.Join(", ", c.LostExamples)})") : ""));
                table.AddRow("device commands received again (QoS 1 redelivery of an id the device had; acted on once)", $"{c.Repeated:N0}");
            }
        }

        if (Replay is { } replay)
        {
            table.AddRow("alert ids against one uninterrupted processor over the same input: raised there / missing here / extra here (time-driven differences)",
                $"{replay.Replayed:N0} / {replay.Missing:N0} / {replay.Extra:N0} {mark(replay.Equal)} ({replay.TimeDriven:N0})");
            foreach (var example in replay.Examples)
            {
                table.AddRow("  against the uninterrupted replay (UTC)", Markup.Escape(example));
            }
        }

        if (StoreBooks is { } sb)
        {
            table.AddRow("store's one-minute aggregates against sensing.telemetry: device minutes compared (written again)", $"{sb.Minutes:N0} ({sb.Rewritten:N0})");
            table.AddRow("  minutes counting readings twice / missing readings (readings over / under, in no stored minute)",
                $"{sb.Over:N0} / {sb.Under:N0} ({sb.OverReadings:N0} / {sb.UnderReadings:N0}, {sb.Unstored:N0}) {mark(sb.Balanced)}"
                + (sb.Examples.Count > 0 ? Markup.Escape($" ({string.Join(", ", sb.Examples)})") : ""));
            table.AddRow("  left out: minutes the store sink has not closed (the run ended in them, or one held back for a missing reading) / their readings", $"{sb.OpenMinutes:N0} / {sb.OpenReadings:N0}");
        }

        table.AddRow("gateway online/offline events in Kafka", $"{Telemetry.ConnectionEvents:N0}");
        table.AddRow("device errors / connections refused (CONNACK code)", $"{Fleet.Errors:N0} / {Fleet.Refused:N0}");
        table.AddRow($"honest readings PUBLISH to PUBACK: p50 / p99 / max ({AckLatency.Count:N0} PUBACKs, {AckLatencyShards} of {Shards} shards)",
            AckLatency.Count == 0 ? "-" : $"{AckMs(50):N1} / {AckMs(99):N1} / {AckMs(100):N1} ms");
        table.AddRow("elapsed", $"{Elapsed:hh\\:mm\\:ss}");
        console.Write(table);

        var truth = new Table().Title("[bold]Ground truth: incidents and traps that fit the run[/]").AddColumn("kind").AddColumn("source").AddColumn("expected").AddColumn("outcome");
        foreach (var outcome in Score.Outcomes)
        {
            var result = outcome.Entry.IsTrap
                ? outcome.AlertsOnTrap.Count == 0 ? "[green]no alert (correct)[/]"
                    : $"[red]{outcome.AlertsOnTrap.Count} alert(s) on a trap[/] ({Markup.Escape(string.Join(", ", outcome.AlertsOnTrap.Select(a => a.Condition).Distinct()))})"
                : outcome.Detection is null ? "[red]missed[/]" : $"[green]detected[/] after {outcome.TimeToDetection!.Value.TotalSeconds:0} s";
            truth.AddRow(Markup.Escape(outcome.Entry.Kind), Markup.Escape(outcome.Entry.Source), Markup.Escape(outcome.Entry.ExpectedCondition), result);
        }

        console.Write(truth);
        var storm = StormAlerts;
        var falseAlarms = FalseAlarms();
        console.MarkupLineInterpolated($"Other alerts (false alarms): {falseAlarms.Count}{(falseAlarms.Count > 0 ? ": " + string.Join(", ", falseAlarms.GroupBy(a => a.Condition).Select(g => $"{g.Key} x{g.Count()}")) : "")}");

        var latency = new Table().Title("[bold]Sensor-to-alert latency (gateway ingest of the raising reading to arrival)[/]")
            .AddColumn("to").AddColumn(new TableColumn("alerts").RightAligned()).AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned()).AddColumn(new TableColumn("max").RightAligned());
        foreach (var (to, values) in new[] { ("sensing.alerts", Alerts.KafkaLatenciesMs), ("feed live stream (SSE)", Alerts.StreamLatenciesMs) })
        {
            latency.AddRow(to, $"{values.Count:N0}", Ms(Percentile(values, 0.5)), Ms(Percentile(values, 0.99)), Ms(values.Count > 0 ? values.Max() : double.NaN));
        }

        console.Write(latency);
        var slowest = Alerts.SlowestToKafka(3);
        if (slowest.Count > 0)
        {
            // The tail, named: which alerts were slow, and when their reading came in (a storm, a checkpoint, a GC).
            console.MarkupLineInterpolated($"Slowest to sensing.alerts: {string.Join("; ", slowest.Select(s => $"{s.LatencyMs:N0} ms {s.Alert.Condition} {s.Alert.Source} raised {DateTimeOffset.FromUnixTimeMilliseconds(s.Alert.RaisedAtMs):HH:mm:ss}"))}");
        }

        var costs = new Table().Title($"[bold]Cost per kind of part, while steady ({Costs.Window.TotalSeconds:0} s, {Costs.Readings:N0} readings)[/]")
            .AddColumn("part").AddColumn(new TableColumn("processes").RightAligned()).AddColumn(new TableColumn("CPU s / 1,000 readings").RightAligned())
            .AddColumn(new TableColumn("cores").RightAligned()).AddColumn(new TableColumn("peak RSS (largest process)").RightAligned());
        foreach (var kind in Costs.ByKind())
        {
            var bound = MemoryBoundsMiB.TryGetValue(kind.Kind, out var b) ? (kind.PeakResidentBytes > b * 1048576 ? $" [red](over {b:N0})[/]" : $" (bound {b:N0})") : "";
            costs.AddRow(kind.Kind, $"{kind.Processes}", $"{kind.CpuSecondsPer1000Readings:0.000}", $"{kind.Cores:0.00}", $"{kind.PeakResidentBytes / 1048576.0:N0} MiB{bound}");
        }

        console.Write(costs);
        console.MarkupLineInterpolated($"Gateways: {Costs.GatewayBytesPerConnection / 1024:0.0} KB resident per device connection (whole registry loaded); gateways + processors + {(Options.StoreSinks > 0 ? "store sinks + " : "")}feed used {PipelineCores:0.00} cores while steady");
        if (Storm.Planned)
        {
            var recovery = Storm.Recovery is { } r ? $"all within {r.TotalSeconds:0} s" : "NOT all back";
            console.MarkupLineInterpolated($"Gateway storm: {Storm.Victim.Name} killed; {Storm.Dropped:N0} sessions dropped, {Storm.Back:N0} back through the other gateways, {recovery}; {Storm.AckedBeforeKill:N0} readings acknowledged before the kill.");
            console.MarkupLineInterpolated($"  what operators saw: {storm.Districts} district outage alert(s) and {storm.Devices} device offline alert(s) after the kill, {storm.Cleared} of them cleared{(storm.Examples.Length > 0 ? $" (sources: {storm.Examples}, ...; killed at {(Storm.KilledAtMs - PublishStartMs) / 1000.0:0} s, publishing ended at {Options.Duration.TotalSeconds:0} s)" : "")}");
        }

        if (Faults.Count > 0)
        {
            var faults = new Table().Title($"[bold]Faults (seed {Options.FaultSeed})[/]").AddColumn("fault").AddColumn("part")
                .AddColumn(new TableColumn("at").RightAligned()).AddColumn(new TableColumn("down").RightAligned())
                .AddColumn(new TableColumn("recovered after").RightAligned()).AddColumn("recovered means");
            var first = Faults.Min(f => f.Fault.AtMs);
            foreach (var fault in Faults.OrderBy(f => f.Fault.AtMs))
            {
                faults.AddRow(fault.Fault.Kind.ToString(), Markup.Escape(fault.Victim),
                    fault.InjectedAtMs is { } at ? $"{(at - first) / 1000.0:+0} s" : "[red]not injected[/]",
                    fault.InjectedAtMs is { } i && fault.BackAtMs is { } b ? $"{(b - i) / 1000.0:0.0} s" : "-",
                    fault.TimeToRecover is { } r ? $"{r.TotalSeconds:0} s" : "[red]NOT recovered[/]", Markup.Escape(fault.Recovery));
            }

            console.Write(faults);
        }

        if (Fuzz is not null)
        {
            RenderFuzz(console, mark);
        }

        console.MarkupLineInterpolated($"Injected methane leak on [bold]{Leak.Device}[/]: alert [bold]{Leak.AlertId}[/] severity {Leak.Severity}{(Leak.Cleared ? ", cleared" : "")}");
        console.MarkupLine($"  in Kafka sensing.alerts: {mark(Leak.InKafka)}   in the store (PromQL): {mark(Leak.InStore)}   in the feed API: {mark(Leak.InFeed)}");
        if (Crashed.Count > 0)
        {
            console.MarkupLineInterpolated($"[red]Exited during the run:[/] {string.Join(", ", Crashed)} (logs in {WorkDirectory})");
        }

        console.MarkupLineInterpolated($"Where to look: feed [link]{FeedUrl}/api/alerts?state=all[/], store [link]{StoreUrl}/api/v1/query?query=sensing_alert_value[/], Kafka {KafkaBootstrap}");
        // One unwrapped line for scripts and tests (the console would wrap it at the terminal width).
        Console.Out.WriteLine(ResultLine(falseAlarms.Count, storm));
        console.MarkupLine(Passed ? "[green bold]PASS[/]: every check above holds." : "[red bold]FAIL[/]: a check above does not hold.");
    }

    private double PipelineCores => Costs.ByKind().Where(k => k.Kind is not ("simulator" or CityFuzz.Kind)).Sum(k => k.Cores);

    // The fuzz section: what was sent, how the gateways ended each case's connections, and the honest devices meanwhile.
    private void RenderFuzz(IAnsiConsole console, Func<bool, string> mark)
    {
        var fuzz = Fuzz!;
        var ran = fuzz.EndedAtMs is { } end
            ? $"from {(fuzz.StartedAtMs - PublishStartMs) / 1000.0:+0;-0} s to {(end - PublishStartMs) / 1000.0:+0;-0} s of the publishing ({Options.Duration.TotalSeconds:0} s)"
            : "not ended";
        var table = new Table().Title($"[bold]Fuzz (seed {Options.FuzzSeed}, {Options.FuzzConcurrency} connections at once, {fuzz.Targets.Count} gateways)[/]")
            .AddColumn("case").AddColumn("ended by the gateway").AddColumn(new TableColumn("connections").RightAligned()).AddColumn("allowed");
        foreach (var (fuzzCase, outcome, count) in fuzz.Endings.OrderBy(e => e.Case, StringComparer.Ordinal).ThenBy(e => e.Outcome, StringComparer.Ordinal))
        {
            var allowed = Enum.TryParse<FuzzCase>(fuzzCase, out var c) && Enum.TryParse<FuzzOutcome>(outcome, out var o) && Fuzzer.Expected(c, o);
            table.AddRow(fuzzCase, outcome, $"{count:N0}", mark(allowed));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"Fuzzer: {Math.Max(0, fuzz.Packets):N0} of {Options.FuzzPackets:N0} hostile packets over {Math.Max(0, fuzz.Connections):N0} connections, {ran}; {Math.Max(0, fuzz.ConnectsMoved):N0} connects moved to the next gateway (a port refused)");
        console.MarkupLine($"  every connection ended as the MQTT specifications allow: {mark(fuzz.Reported && fuzz.Unexpected == 0)} ({Math.Max(0, fuzz.Unexpected):N0} unexpected)   " +
            $"honest devices refused: {Fleet.Refused:N0} {mark(Fleet.Refused == 0)}   honest PUBACK p99 {AckMs(99):N1} ms within {Options.FuzzAckP99BoundMs:N0} ms: {mark(AckMs(99) <= Options.FuzzAckP99BoundMs)}");
    }

    // A device found silent (or such an alert chattering): what killing a gateway or the broker makes of any device,
    // a trap's included, rather than a detector taken in by the trap.
    private static bool IsSilence(AlertRecord alert) =>
        alert.Condition == AlertCondition.DeviceOffline.Name() || alert.Condition == AlertCondition.Chattering.Name();

    private List<AlertRecord> FalseAlarms()
    {
        var killed = Storm.KilledAtMs ?? long.MaxValue;
        var trap = Score.FalsePositivesOnTraps.ToHashSet();
        return [.. Score.FalsePositives.Where(a => !trap.Contains(a) && !(a.Condition == AlertCondition.DeviceOffline.Name() && a.RaisedAtMs >= killed - 60_000))];
    }

    private string ResultLine(int falseAlarms, (int Devices, int Districts, int Cleared, string Examples) storm)
    {
        var kinds = Costs.ByKind().ToDictionary(k => k.Kind);
        string Cost(string kind) => kinds.TryGetValue(kind, out var k) ? string.Create(CultureInfo.InvariantCulture, $"{k.CpuSecondsPer1000Readings:0.0000}") : "0";
        string Rss(string kind) => kinds.TryGetValue(kind, out var k) ? (k.PeakResidentBytes / 1048576).ToString(CultureInfo.InvariantCulture) : "0";
        var kafka = Alerts.KafkaLatenciesMs;
        var stream = Alerts.StreamLatenciesMs;
        return string.Create(CultureInfo.InvariantCulture,
            $"result passed={(Passed ? 1 : 0)} devices={Devices} gateways={Gateways} processors={Options.Processors} sent={Fleet.Sent} acked={Fleet.Acked} " +
            $"unacked={Fleet.Unacked} offline={Fleet.Offline} errors={Fleet.Errors} kafka_readings={Telemetry.Readings} kafka_unique={Telemetry.UniqueReadings} " +
            $"kafka_records={TelemetryRecords} committed={Committed} stored={Stored} books={(BooksBalance ? 1 : 0)} processed={(AllProcessed ? 1 : 0)} all_stored={(AllStored ? 1 : 0)} " +
            $"incidents={Score.Outcomes.Count(o => !o.Entry.IsTrap)} detected={Score.TruePositives} missed={Score.Missed} trap_alerts={Score.FalsePositivesOnTraps.Count()} trap_alerts_silence={Score.FalsePositivesOnTraps.Count(IsSilence)} false_alarms={falseAlarms} " +
            $"latency_kafka_p50_ms={Percentile(kafka, 0.5):0} latency_kafka_p99_ms={Percentile(kafka, 0.99):0} latency_kafka_max_ms={(kafka.Count > 0 ? kafka.Max() : 0):0} " +
            $"latency_sse_p50_ms={Percentile(stream, 0.5):0} latency_sse_p99_ms={Percentile(stream, 0.99):0} latency_sse_max_ms={(stream.Count > 0 ? stream.Max() : 0):0} " +
            $"cpu_s_per_1000_gateway={Cost("gateway")} cpu_s_per_1000_processor={Cost("processor")} cpu_s_per_1000_feed={Cost("feed")} cpu_s_per_1000_store_sink={Cost(CityRun.StoreSinkKind)} cpu_s_per_1000_simulator={Cost("simulator")} " +
            $"pipeline_cores={PipelineCores:0.00} rss_mib_gateway={Rss("gateway")} rss_mib_processor={Rss("processor")} rss_mib_feed={Rss("feed")} rss_mib_store_sink={Rss(CityRun.StoreSinkKind)} " +
            $"gateway_kb_per_connection={Costs.GatewayBytesPerConnection / 1024:0.0} storm_dropped={Storm.Dropped} storm_back={Storm.Back} " +
            $"storm_recovery_s={(Storm.Recovery is { } r ? r.TotalSeconds : -1):0} storm_district_alerts={storm.Districts} storm_device_alerts={storm.Devices} storm_alerts_active={storm.Devices + storm.Districts - storm.Cleared} " +
            $"crashed={Crashed.Count} leak={(Leak.Passed ? 1 : 0)} elapsed_s={Elapsed.TotalSeconds:0}") + BooksResult();
    }

    private string BooksResult()
    {
        var memory = string.Create(CultureInfo.InvariantCulture,
            $" memory_bounded={(OverMemoryBound.Count == 0 ? 1 : 0)} refused={Fleet.Refused} ack_p50_ms={AckMs(50):0.0} ack_p99_ms={AckMs(99):0.0} ack_max_ms={AckMs(100):0.0} ack_count={AckLatency.Count}");
        if (Fuzz is { } fuzz)
        {
            memory += string.Create(CultureInfo.InvariantCulture,
                $" fuzz_packets={fuzz.Packets} fuzz_connections={fuzz.Connections} fuzz_unexpected={fuzz.Unexpected} fuzz_moved={fuzz.ConnectsMoved} fuzz_held={(FuzzHeld ? 1 : 0)} " +
                $"fuzz_start_s={(fuzz.StartedAtMs - PublishStartMs) / 1000.0:0} fuzz_end_s={((fuzz.EndedAtMs ?? 0) - PublishStartMs) / 1000.0:0}") +
                string.Concat(fuzz.Endings.OrderBy(e => e.Case, StringComparer.Ordinal).ThenBy(e => e.Outcome, StringComparer.Ordinal)
                    .Select(e => string.Create(CultureInfo.InvariantCulture, $" fuzz_{e.Case}_{e.Outcome}={e.Count}")));
        }

        var books = Books is { } b
            ? string.Create(CultureInfo.InvariantCulture,
                $" acklog_entries={b.Acknowledged} acklog_distinct={b.AcknowledgedDistinct} lost={b.Lost} kafka_duplicates={b.DuplicatedInKafka} " +
                $"raised_twice={b.RaisedTwice} raise_replayed={b.Republished} reopened={b.Reopened} feed_missing={b.FeedMissing} feed_extra={b.FeedExtra}")
            : "";
        var commands = Books?.Commands is { } c
            ? string.Create(CultureInfo.InvariantCulture,
                $" commands={c.Issued} commands_delivered={c.Delivered} commands_lost={c.Lost} commands_repeated={c.Repeated} commands_acted_twice={c.ActedTwice} commands_unissued={c.Unissued}")
            : "";
        var store = StoreBooks is { } sb
            ? string.Create(CultureInfo.InvariantCulture,
                $" store_minutes={sb.Minutes} store_over={sb.Over} store_under={sb.Under} store_over_readings={sb.OverReadings} store_under_readings={sb.UnderReadings} " +
                $"store_unstored={sb.Unstored} store_open_minutes={sb.OpenMinutes} store_open_readings={sb.OpenReadings} store_rewritten={sb.Rewritten} store_books={(sb.Balanced ? 1 : 0)}")
            : "";
        var replayed = Replay is { } r
            ? string.Create(CultureInfo.InvariantCulture, $" replay_alerts={r.Replayed} replay_missing={r.Missing} replay_extra={r.Extra} replay_time_driven={r.TimeDriven}")
            : "";
        return memory + books + commands + replayed + store + string.Concat(Faults.Select(f => string.Create(CultureInfo.InvariantCulture,
            $" recover_s_{f.Fault.Kind}={(f.TimeToRecover is { } t ? t.TotalSeconds : -1):0} down_s_{f.Fault.Kind}={(f.InjectedAtMs is { } i && f.BackAtMs is { } k ? (k - i) / 1000.0 : -1):0.0}")));
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : string.Create(CultureInfo.InvariantCulture, $"{value:N0} ms");

    private static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
