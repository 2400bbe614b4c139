using System.CommandLine;
using Sensing.Kafka;
using Sensing.Rules;
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

    public static readonly Option<FileInfo?> Registry = new("--registry")
    {
        Description = "Device registry CSV (id,kind,district,report_s,secret_sha256,params[,lat,lon]), read once; without it the devices come from sensing.devices on Kafka, followed while running",
    };

    public static readonly Option<string> Store = new("--store")
    {
        Description = "Time-series store base URL (VictoriaMetrics, or InfluxDB with --store-api)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE") ?? "http://127.0.0.1:8428",
    };

    public static readonly Option<string> StoreWriteApi = new("--store-api")
    {
        Description = "Write API of --store: VictoriaMetrics, InfluxV1 (InfluxDB 1.x, needs --store-database) or InfluxV2 (InfluxDB 2.x/3.x, needs --store-bucket)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE_API") ?? nameof(StoreApi.VictoriaMetrics),
    };

    public static readonly Option<string> StoreDatabase = new("--store-database")
    {
        Description = "InfluxDB 1.x database (--store-api InfluxV1)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE_DATABASE") ?? "",
    };

    public static readonly Option<string> StoreOrg = new("--store-org")
    {
        Description = "InfluxDB 2.x organization (--store-api InfluxV2; optional)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE_ORG") ?? "",
    };

    public static readonly Option<string> StoreBucket = new("--store-bucket")
    {
        Description = "InfluxDB 2.x bucket or 3.x database (--store-api InfluxV2)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENSING_STORE_BUCKET") ?? "",
    };

    /// <summary>The store's API token, from the environment only, so it never shows in a process list.</summary>
    public const string StoreTokenVariable = "SENSING_STORE_TOKEN";

    public static readonly Option<FileInfo?> Rules = new("--rules")
    {
        Description = "Rules file (YAML, docs/rules.md; `sensing rules defaults` prints one): detection options, overrides per district, device kind and device",
    };

    public static readonly Option<Uri?> Otlp = new("--otlp")
    {
        Description = "Export the pipeline's own metrics to this OTLP/HTTP endpoint instead of the store",
    };

    /// <summary>
    /// Where the command writes: <c>--store</c> with its API and database or bucket, and the token from
    /// <c>SENSING_STORE_TOKEN</c>.
    /// </summary>
    /// <exception cref="ArgumentException">an option is missing or wrong; the message names the flag.</exception>
    public static StoreWriterOptions StoreFrom(ParseResult result)
    {
        var apiText = result.GetValue(StoreWriteApi)!;
        if (!Enum.TryParse<StoreApi>(apiText, ignoreCase: true, out var api) || !Enum.IsDefined(api) || int.TryParse(apiText, out _))
        {
            throw new ArgumentException($"--store-api: '{apiText}' is not one of {string.Join(", ", Enum.GetNames<StoreApi>())}.", nameof(StoreWriteApi));
        }

        var options = StoreWriterOptions.Default with
        {
            Url = result.GetValue(Store)!,
            Api = api,
            Database = NullIfEmpty(result.GetValue(StoreDatabase)),
            Organization = NullIfEmpty(result.GetValue(StoreOrg)),
            Bucket = NullIfEmpty(result.GetValue(StoreBucket)),
            Token = NullIfEmpty(Environment.GetEnvironmentVariable(StoreTokenVariable)),
        };
        if (api == StoreApi.InfluxV1 && options.Database is null)
        {
            throw new ArgumentException("--store-database: required with --store-api InfluxV1 (the InfluxDB 1.x database to write to).", nameof(StoreDatabase));
        }

        if (api == StoreApi.InfluxV2 && options.Bucket is null)
        {
            throw new ArgumentException("--store-bucket: required with --store-api InfluxV2 (the InfluxDB 2.x bucket or 3.x database to write to).", nameof(StoreBucket));
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e) when (e.ParamName == nameof(StoreWriterOptions.Url))
        {
            throw new ArgumentException($"--store: '{options.Url}' is not an absolute http:// or https:// URL without query or fragment.", nameof(Store), e);
        }

        return options;
    }

    /// <summary>The metrics export of <paramref name="service"/>: to <c>--store</c>, or to <c>--otlp</c> when given.</summary>
    public static PipelineMetricsOptions MetricsFrom(ParseResult result, string service) => new PipelineMetricsOptions
    {
        Store = StoreFrom(result),
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

    /// <summary>The rules of <c>--rules</c>, or null without it (the defaults).</summary>
    /// <exception cref="RulesFileException">The file cannot be used; the message names it, the key and the problem.</exception>
    public static RuleSet? RulesFrom(ParseResult result) => result.GetValue(Rules) is { } file ? RulesFile.Load(file.FullName) : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
