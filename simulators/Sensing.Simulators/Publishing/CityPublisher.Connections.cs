using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>Opening and closing device connections.</summary>
public sealed partial class CityPublisher
{
    private async Task ConnectPersistentAsync(CancellationToken cancellationToken)
    {
        var connects = _city.Devices.Where(d => d.Persistent && _options.Shard.Contains(d)).Select(async device =>
        {
            await _connectSlots.WaitAsync(cancellationToken);
            try
            {
                if (await ConnectAsync(device, keepAliveSeconds: 60, cancellationToken) is { } client)
                {
                    _clients[device.Index] = client;
                    await SubscribeCommandsAsync(device, client, cancellationToken);
                }
            }
            finally
            {
                _connectSlots.Release();
            }
        });
        await Task.WhenAll(connects);
    }

    private Task<DeviceMqttClient?> ConnectAsync(CityDevice device, ushort keepAliveSeconds, CancellationToken cancellationToken) =>
        ConnectAsync(device.Info.Id, device.Password, keepAliveSeconds, cancellationToken);

    private async Task<DeviceMqttClient?> ConnectAsync(string id, string password, ushort keepAliveSeconds, CancellationToken cancellationToken)
    {
        var client = new DeviceMqttClient();
        try
        {
            await client.ConnectAsync(new DeviceMqttConnectOptions
            {
                Host = _options.Broker.Address.ToString(),
                Port = _options.Broker.Port,
                LocalAddress = SourceAddress(),
                ClientId = id,
                UserName = id,
                Password = password,
                KeepAliveSeconds = keepAliveSeconds,
            }, cancellationToken);
            Counters.AddConnected();
            client.Closed += (_, _) => Counters.AddDisconnected();
            return client;
        }
        catch (Exception e) when (e is MqttClientException or IOException or System.Net.Sockets.SocketException)
        {
            Counters.AddError();
            await client.DisposeAsync();
            return null;
        }
    }

    private async Task SessionAsync(CityDevice device, byte[] payload, Task? previous, CancellationToken cancellationToken)
    {
        var slot = false;
        try
        {
            if (previous is not null)
            {
                await previous;
            }

            await _connectSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            slot = true;
            if (await ConnectAsync(device, keepAliveSeconds: 0, cancellationToken) is not { } client)
            {
                return;
            }

            try
            {
                await client.PublishAsync(device.UplinkTopic, payload, MqttQoS.AtLeastOnce, cancellationToken: cancellationToken);
                Counters.AddAcked();
            }
            catch (Exception e) when (e is MqttClientException or InvalidOperationException)
            {
                Counters.AddError();
            }

            await client.DisconnectAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run was stopped.
        }
        finally
        {
            if (slot)
            {
                _connectSlots.Release();
            }

            _inFlight.Release();
        }
    }

    private static async Task DisconnectAsync(DeviceMqttClient? client)
    {
        if (client is not null)
        {
            await client.DisconnectAsync(CancellationToken.None);
            await client.DisposeAsync();
        }
    }
}
