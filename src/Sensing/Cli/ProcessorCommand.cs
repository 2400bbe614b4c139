using System.CommandLine;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Processor;

namespace Sensing.Cli;

/// <summary><c>sensing processor</c>: the stream processor.</summary>
internal static class ProcessorCommand
{
    public static Command Create()
    {
        var command = new Command("processor", "Consume sensing.telemetry, raise alerts, write the store")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, CommonOptions.Registry, CommonOptions.Store,
        };
        command.SetAction(async (result, ct) =>
        {
            var registry = DeviceRegistry.Load(result.GetValue(CommonOptions.Registry)!.FullName);
            await using var store = ProcessorStore.Create(result.GetValue(CommonOptions.Store)!);
            var processor = new TelemetryProcessor(ProcessorOptions.Default, CommonOptions.KafkaFrom(result), registry,
                DetectionOptions.Default, store, Console.Error.WriteLine);
            Console.Error.WriteLine($"processor: {registry.Count} devices, store {result.GetValue(CommonOptions.Store)}");
            await Task.Factory.StartNew(() => processor.Run(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return 0;
        });
        return command;
    }
}
