using System.Globalization;
using System.Net;
using MQTTnet.Server;

namespace Sensing.LibraryBench;

/// <summary>
/// The MQTTnet 5 server, hosting only: TCP on 127.0.0.1:PORT, every client accepted, every PUBLISH acknowledged and
/// dropped (no subscribers, no Kafka). The third column of bench/gateway-vs-mosquitto.sh. Runs until SIGTERM.
/// </summary>
internal static class MqttNetServerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(port)
            .WithConnectionBacklog(4096)
            .Build();
        using var server = factory.CreateMqttServer(options);
        await server.StartAsync();
        Console.WriteLine($"mqttnet-server listening 127.0.0.1:{port}");
        var stop = new TaskCompletionSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task;
        await server.StopAsync(new MqttServerStopOptions());
        return 0;
    }
}
