using System.Buffers;
using System.Diagnostics;
using System.Text;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;
using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// Publishes recorded readings over MQTT at recorded speed times <c>speed</c>: every recorded device holds one
/// connection (user name = device id, no password: the gateway's registry lists replayed devices with an empty
/// secret), readings go out as JSON QoS 1 in event-time order with their sequence numbers, and, unless
/// <c>shiftToNow</c> is false, timestamps moved so the recording starts now.
/// </summary>
public sealed class RecordingPublisher(IReadOnlyList<RecordedReading> readings, PublishOptions options, bool shiftToNow)
{
    private readonly SemaphoreSlim _inFlight = new(options.MaxInFlight);

    /// <summary>Live counters.</summary>
    public PublishCounters Counters { get; } = new() { Devices = readings.Select(r => r.Device.Id).Distinct().Count() };

    /// <summary>Connects every device, publishes every reading, waits for the acknowledgments, disconnects.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (readings.Count == 0)
        {
            return;
        }

        var clients = new Dictionary<string, (DeviceMqttClient Client, byte[] Topic, ulong Sequence)>(StringComparer.Ordinal);
        using var connectSlots = new SemaphoreSlim(options.ConcurrentConnects);
        foreach (var id in readings.Select(r => r.Device.Id).Distinct())
        {
            var client = new DeviceMqttClient();
            try
            {
                await client.ConnectAsync(new DeviceMqttConnectOptions
                {
                    Host = options.Broker.Address.ToString(), Port = options.Broker.Port, ClientId = id, UserName = id,
                }, cancellationToken);
                Counters.AddConnected();
                clients[id] = (client, Encoding.ASCII.GetBytes($"sensing/{id}/up"), 0);
            }
            catch (Exception e) when (e is MqttClientException or IOException or System.Net.Sockets.SocketException)
            {
                Counters.AddError();
                await client.DisposeAsync();
            }
        }

        var first = readings[0].TimeMs;
        var shift = shiftToNow ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - first : 0;
        var clock = Stopwatch.StartNew();
        var payload = new ArrayBufferWriter<byte>(512);
        try
        {
            foreach (var reading in readings)
            {
                var dueMs = (reading.TimeMs - first) / options.Speed;
                var wait = dueMs - clock.Elapsed.TotalMilliseconds;
                if (wait > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                }

                Counters.SetSimulatedTime(reading.TimeMs + shift);
                Counters.AddSent();
                if (!clients.TryGetValue(reading.Device.Id, out var entry) || !entry.Client.IsConnected)
                {
                    Counters.AddError();
                    continue;
                }

                entry.Sequence++;
                clients[reading.Device.Id] = entry;
                payload.ResetWrittenCount();
                JsonPayload.Write(payload, entry.Sequence, reading.TimeMs + shift, reading.Metrics);
                await _inFlight.WaitAsync(cancellationToken);
                _ = AwaitAckAsync(entry.Client.PublishAsync(entry.Topic, payload.WrittenMemory, MqttQoS.AtLeastOnce, cancellationToken: cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early.
        }
        finally
        {
            for (var i = 0; i < options.MaxInFlight; i++)
            {
                await _inFlight.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            foreach (var (client, _, _) in clients.Values)
            {
                await client.DisconnectAsync(CancellationToken.None);
                await client.DisposeAsync();
                Counters.AddDisconnected();
            }
        }
    }

    private async Task AwaitAckAsync(ValueTask publish)
    {
        try
        {
            await publish;
            Counters.AddAcked();
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException or OperationCanceledException)
        {
            Counters.AddError();
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
