using System.CommandLine;
using Sensing.Core.Devices;
using Sensing.Gateway;

namespace Sensing.Cli;

/// <summary><c>sensing gateway</c>: the MQTT ingest server.</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "MQTT TCP endpoint (address:port)", DefaultValueFactory = _ => GatewayOptions.Default.Listen };
        var command = new Command("gateway", "Accept device MQTT connections and put every reading into sensing.telemetry")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, CommonOptions.Registry, listen,
        };
        command.SetAction(async (result, ct) =>
        {
            var registry = DeviceRegistry.Load(result.GetValue(CommonOptions.Registry)!.FullName);
            var app = GatewayHost.Build(new GatewayOptions { Listen = result.GetValue(listen)! }, CommonOptions.KafkaFrom(result), registry);
            Console.Error.WriteLine($"gateway: {registry.Count} devices, MQTT on {result.GetValue(listen)}");
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
