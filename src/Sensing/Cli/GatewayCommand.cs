using System.CommandLine;
using Sensing.Core.Devices;
using Sensing.Gateway;
using Sensing.Storage.Telemetry;

namespace Sensing.Cli;

/// <summary><c>sensing gateway</c>: the MQTT ingest server.</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var defaults = GatewayOptions.Default;
        var listen = new Option<string>("--listen") { Description = "MQTT TCP endpoint (address:port)", DefaultValueFactory = _ => defaults.Listen };
        var tlsListen = new Option<string>("--tls-listen") { Description = "MQTT over TLS endpoint (address:port); needs --tls-cert", DefaultValueFactory = _ => "" };
        var tlsCert = new Option<string>("--tls-cert") { Description = "Server certificate: PEM (with --tls-key, or holding the key) or PFX", DefaultValueFactory = _ => "" };
        var tlsKey = new Option<string>("--tls-key") { Description = "PEM private key of --tls-cert", DefaultValueFactory = _ => "" };
        var wsListen = new Option<string>("--ws-listen") { Description = "MQTT over WebSocket endpoint (address:port, path /mqtt)", DefaultValueFactory = _ => "" };
        var rate = new Option<int>("--max-msgs-per-second") { Description = "PUBLISH packets per second per connection, 0 for no limit", DefaultValueFactory = _ => defaults.MaxMessagesPerSecond };
        var perAddress = new Option<int>("--max-connections-per-address") { Description = "Connections per source address, 0 for no limit", DefaultValueFactory = _ => defaults.MaxConnectionsPerAddress };
        var gatewayId = new Option<string>("--gateway-id") { Description = "Name of this gateway (its command consumer group); default host-port", DefaultValueFactory = _ => "" };
        var command = new Command("gateway", "Accept device MQTT connections and put every reading into sensing.telemetry")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, CommonOptions.TelemetryPartitions, CommonOptions.Registry, listen, tlsListen, tlsCert, tlsKey, wsListen,
            rate, perAddress, gatewayId, CommonOptions.Store, CommonOptions.StoreWriteApi, CommonOptions.StoreDatabase, CommonOptions.StoreOrg, CommonOptions.StoreBucket,
            CommonOptions.Otlp,
        };
        command.SetAction(async (result, ct) =>
        {
            NativeHeap.LimitArenas();
            PipelineMetricsOptions metricsOptions;
            try
            {
                metricsOptions = CommonOptions.MetricsFrom(result, "gateway");
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("sensing gateway: " + e.Message);
                return 2;
            }

            var kafka = CommonOptions.KafkaFrom(result);
            if (RegistrySource.OpenOrExplain("gateway", result.GetValue(CommonOptions.Registry), kafka) is not { } source)
            {
                return 2;
            }

            using var registrySource = source;
            var registry = source.Registry;
            var options = new GatewayOptions
            {
                Listen = result.GetValue(listen)!,
                TlsListen = result.GetValue(tlsListen)!,
                TlsCertificate = result.GetValue(tlsCert)!,
                TlsKey = result.GetValue(tlsKey)!,
                WebSocketListen = result.GetValue(wsListen)!,
                MaxMessagesPerSecond = result.GetValue(rate),
                MaxConnectionsPerAddress = result.GetValue(perAddress),
                GatewayId = result.GetValue(gatewayId)!,
            };
            var app = GatewayHost.Build(options, kafka, registry);
            using var metrics = PipelineMetrics.Start(metricsOptions);
            var counters = app.Services.GetRequiredService<GatewayCounters>();
            using var memoryLog = MemoryLog.StartIfAsked("gateway", () => $"connections={counters.Connections}");
            Console.Error.WriteLine($"gateway: {registry.Active:N0} devices from {source.Description}, MQTT on {options.Listen}"
                + (options.TlsListen.Length != 0 ? $", TLS on {options.TlsListen}" : "")
                + (options.WebSocketListen.Length != 0 ? $", WebSocket on ws://{options.WebSocketListen}{GatewayHost.WebSocketPath}" : ""));
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
