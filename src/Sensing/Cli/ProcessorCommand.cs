using System.CommandLine;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Processor;
using Sensing.Storage.Telemetry;

namespace Sensing.Cli;

/// <summary><c>sensing processor</c>: the stream processor.</summary>
internal static class ProcessorCommand
{
    public static Command Create()
    {
        var rawSamples = new Option<RawSamples>("--raw-samples")
        {
            Description = "Raw readings written as sensing_reading: All, SlowSensors (report interval >= 60 s) or None",
            DefaultValueFactory = _ => ProcessorStoreOptions.Default.RawSamples,
        };
        var command = new Command("processor", "Consume sensing.telemetry, raise alerts, write the store")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, CommonOptions.Registry, CommonOptions.Store, rawSamples, CommonOptions.Otlp,
        };
        command.SetAction(async (result, ct) =>
        {
            var registry = DeviceRegistry.Load(result.GetValue(CommonOptions.Registry)!.FullName);
            var writer = Storage.StoreWriterOptions.Default with { Url = result.GetValue(CommonOptions.Store)! };
            using var metrics = PipelineMetrics.Start(CommonOptions.MetricsFrom(result, "processor"));
            await using var store = ProcessorStore.Create(ProcessorStoreOptions.Default with { Writer = writer, RawSamples = result.GetValue(rawSamples) });
            var processor = new TelemetryProcessor(ProcessorOptions.Default, CommonOptions.KafkaFrom(result), registry,
                DetectionOptions.Default, store, Console.Error.WriteLine);
            Console.Error.WriteLine($"processor: {registry.Count} devices, store {result.GetValue(CommonOptions.Store)}");
            await Task.Factory.StartNew(() => processor.Run(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return 0;
        });
        return command;
    }
}
