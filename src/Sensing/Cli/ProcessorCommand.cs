using System.CommandLine;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Processor;
using Sensing.Rules;
using Sensing.Storage.Telemetry;

namespace Sensing.Cli;

/// <summary><c>sensing processor</c>: the stream processor.</summary>
internal static class ProcessorCommand
{
    /// <summary>The store sink's default consumer group (its alert events: this plus <c>.alerts</c>).</summary>
    public const string StoreSinkGroup = "sensing-store";

    public static Command Create()
    {
        var rawSamples = new Option<RawSamples>("--raw-samples")
        {
            Description = "Raw readings written as sensing_reading: All, SlowSensors (report interval >= 60 s) or None",
            DefaultValueFactory = _ => ProcessorStoreOptions.Default.RawSamples,
        };
        var maxBatch = new Option<int>("--max-batch")
        {
            Description = "Most readings processed between two offset commits",
            DefaultValueFactory = _ => ProcessorOptions.Default.MaxBatch,
        };
        var checkpointInterval = new Option<int>("--checkpoint-interval-ms")
        {
            Description = "Least milliseconds between two checkpoints to sensing.checkpoints (0: at every commit)",
            DefaultValueFactory = _ => (int)ProcessorOptions.Default.CheckpointInterval.TotalMilliseconds,
        };
        var checkpointChunkBytes = new Option<int>("--checkpoint-chunk-bytes")
        {
            Description = "Largest record of a partition's checkpoint; larger state is split into several (4096-921600, below the broker's message.max.bytes)",
            DefaultValueFactory = _ => ProcessorOptions.Default.CheckpointChunkBytes,
        };
        var role = new Option<ProcessorRole>("--role")
        {
            Description = "All: detect and write the store; Detect: alerts, commands and checkpoints only, so the store never holds an alert back; "
                + "Store: the store sink beside Detect processors (readings and sensing.alerts into the store, in a group of its own)",
            DefaultValueFactory = _ => ProcessorOptions.Default.Role,
        };
        var group = new Option<string>("--group")
        {
            Description = $"Kafka consumer group shared by the processors of one city (default {ProcessorOptions.Default.GroupId}; {StoreSinkGroup} for --role Store)",
        };
        var noCheckpoints = new Option<bool>("--no-checkpoints")
        {
            Description = "Neither write nor restore detection-state checkpoints (a restart loses the state)",
        };
        var command = new Command("processor", "Consume sensing.telemetry, raise alerts, write the store")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, CommonOptions.Registry, CommonOptions.Store, CommonOptions.StoreWriteApi, CommonOptions.StoreDatabase, CommonOptions.StoreOrg, CommonOptions.StoreBucket,
            rawSamples, CommonOptions.Otlp, CommonOptions.Rules,
            maxBatch, checkpointInterval, checkpointChunkBytes, role, group, noCheckpoints,
        };
        command.SetAction(async (result, ct) =>
        {
            Storage.StoreWriterOptions writer;
            PipelineMetricsOptions metricsOptions;
            RuleSet? rules;
            try
            {
                writer = CommonOptions.StoreFrom(result);
                metricsOptions = CommonOptions.MetricsFrom(result, "processor");
                rules = CommonOptions.RulesFrom(result);
            }
            catch (Exception e) when (e is ArgumentException or RulesFileException)
            {
                await Console.Error.WriteLineAsync("sensing processor: " + e.Message);
                return 2;
            }

            var kafka = CommonOptions.KafkaFrom(result);
            if (RegistrySource.OpenOrExplain("processor", result.GetValue(CommonOptions.Registry), kafka) is not { } source)
            {
                return 2;
            }

            using var registrySource = source;
            var registry = source.Registry;
            using var metrics = PipelineMetrics.Start(metricsOptions);
            var processorRole = result.GetValue(role);
            var groupId = result.GetValue(group) ?? (processorRole == ProcessorRole.Store ? StoreSinkGroup : ProcessorOptions.Default.GroupId);
            // A store sink's readings go through one store, its alert events through another (which alone counts the
            // active alerts); a detecting processor's store is never written.
            await using var store = ProcessorStore.Create(ProcessorStoreOptions.Default with
            {
                Writer = writer, RawSamples = result.GetValue(rawSamples), ActiveAlerts = processorRole != ProcessorRole.Store,
            });
            var options = ProcessorOptions.Default with
            {
                Role = processorRole,
                GroupId = groupId,
                MaxBatch = result.GetValue(maxBatch),
                Checkpoints = !result.GetValue(noCheckpoints),
                CheckpointInterval = TimeSpan.FromMilliseconds(result.GetValue(checkpointInterval)),
                CheckpointChunkBytes = result.GetValue(checkpointChunkBytes),
            };
            var processor = rules is null
                ? new TelemetryProcessor(options, kafka, registry, DetectionOptions.Default, store, Console.Error.WriteLine)
                : new TelemetryProcessor(options, kafka, registry, rules, store, Console.Error.WriteLine);
            Console.Error.WriteLine($"processor: role {processorRole}, group {groupId}, {registry.Active:N0} devices from {source.Description}, store {writer.Url} ({writer.Api})");
            if (processorRole != ProcessorRole.Store)
            {
                await Task.Factory.StartNew(() => processor.Run(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                return 0;
            }

            await using var alertStore = ProcessorStore.Create(ProcessorStoreOptions.Default with { Writer = writer });
            var alerts = new AlertStoreSink(kafka, groupId + ".alerts", alertStore, Console.Error.WriteLine);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var readings = Task.Factory.StartNew(() => processor.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var events = Task.Factory.StartNew(() => alerts.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            // Either half stopping (a store rejection, say) stops the other: the supervisor restarts the sink whole.
            await Task.WhenAny(readings, events);
            await stop.CancelAsync();
            await Task.WhenAll(readings, events);
            return 0;
        });
        return command;
    }
}
