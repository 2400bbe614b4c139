using System.CommandLine;
using Sensing.Kafka;
using Sensing.Storage;
using Sensing.Storage.Telemetry;

namespace Sensing.Cli;

/// <summary>Options shared by the subcommands that talk to Kafka, the store or the registry.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> Kafka = new("--kafka")
    {
        Description = "Kafka bootstrap servers (host:port,...)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_KAFKA") ?? "127.0.0.1:9092",
    };

    public static readonly Option<string> KafkaLegacyVersion = new("--kafka-legacy-version")
    {
        Description = "Broker version for brokers older than 0.10.1 (e.g. 0.9.0.1); empty for modern Kafka",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_KAFKA_LEGACY_VERSION") ?? "",
    };

    public static readonly Option<int> TelemetryPartitions = new("--telemetry-partitions")
    {
        Description = "Partitions of sensing.telemetry",
        DefaultValueFactory = _ => SensingTopics.Default.TelemetryPartitions,
    };

    public static readonly Option<FileInfo> Registry = new("--registry")
    {
        Description = "Device registry CSV (id,kind,district,report_s,secret_sha256)",
        Required = true,
    };

    public static readonly Option<string> Store = new("--store")
    {
        Description = "Time-series store base URL (VictoriaMetrics, or InfluxDB with --store-api)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE") ?? "http://127.0.0.1:8428",
    };

    public static readonly Option<Uri?> Otlp = new("--otlp")
    {
        Description = "Export the pipeline's own metrics to this OTLP/HTTP endpoint instead of the store",
    };

    /// <summary>The metrics export of <paramref name="service"/>: to <c>--store</c>, or to <c>--otlp</c> when given.</summary>
    public static PipelineMetricsOptions MetricsFrom(ParseResult result, string service) => new PipelineMetricsOptions
    {
        Store = StoreWriterOptions.Default with { Url = result.GetValue(Store)! },
        Service = service,
        Otlp = result.GetValue(Otlp),
    }.Validate();

    public static KafkaOptions KafkaFrom(ParseResult result) => new KafkaOptions
    {
        BootstrapServers = result.GetValue(Kafka)!,
        LegacyBrokerVersion = result.GetValue(KafkaLegacyVersion) ?? "",
        // Commands that do not offer --telemetry-partitions read 0 here: they get the default count.
        Topics = SensingTopics.Default with { TelemetryPartitions = result.GetValue(TelemetryPartitions) is > 0 and var n ? n : SensingTopics.Default.TelemetryPartitions },
    }.Validate();
}
