using System.Buffers;
using System.Net;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Fleet;

/// <summary>
/// Runs a <see cref="CityFleet"/> against a gateway: every device holds its own MQTT connection and publishes a
/// QoS 1 reading every report interval (first one at a random offset, so the fleet's load is spread evenly),
/// waiting for the PUBACK before the next. Event time is the wall clock.
/// </summary>
public sealed class FleetDriver(CityFleet fleet, IPEndPoint gateway)
{
    // Connecting thousands of devices at once would be a reconnect storm; a bounded number connect at a time.
    private const int ConcurrentConnects = 100;

    /// <summary>Live counters.</summary>
    public FleetCounters Counters { get; } = new() { Devices = fleet.Devices.Count };

    /// <summary>Connects the fleet, publishes for <paramref name="duration"/>, then disconnects every device.</summary>
    public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        using var connectSlots = new SemaphoreSlim(ConcurrentConnects);
        var interval = TimeSpan.FromSeconds(fleet.Options.ReportIntervalSeconds);
        var random = new Random(fleet.Options.Seed);
        var devices = fleet.Devices.Select(d => RunDeviceAsync(d, interval, random.NextDouble(), connectSlots, stop.Token)).ToArray();
        await Task.WhenAll(devices);
    }

    private async Task RunDeviceAsync(SimulatedDevice device, TimeSpan interval, double phase, SemaphoreSlim connectSlots, CancellationToken stop)
    {
        await using var client = new DeviceMqttClient();
        try
        {
            await connectSlots.WaitAsync(stop);
            try
            {
                await client.ConnectAsync(new DeviceMqttConnectOptions
                {
                    Host = gateway.Address.ToString(),
                    Port = gateway.Port,
                    ClientId = device.Info.Id,
                    UserName = device.Info.Id,
                    Password = device.Password,
                    KeepAliveSeconds = 60,
                }, stop);
            }
            finally
            {
                connectSlots.Release();
            }

            Counters.AddConnected();
            var payload = new ArrayBufferWriter<byte>(256);
            await Task.Delay(interval * phase, stop);
            using var timer = new PeriodicTimer(interval);
            do
            {
                payload.Clear();
                device.WriteReading(payload, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                Counters.AddSent();
                await client.PublishAsync(device.UplinkTopic, payload.WrittenMemory, MqttQoS.AtLeastOnce, stop);
                Counters.AddAcked();
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or MqttClientException)
        {
            Counters.AddError();
        }
        finally
        {
            if (client.IsConnected)
            {
                Counters.AddDisconnected();
                await client.DisconnectAsync(CancellationToken.None);
            }
        }
    }
}
