using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sensing.Core.Devices;
using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// Opening, keeping and closing device connections. A device connects to its own endpoint of
/// <see cref="PublishOptions.Endpoints"/> (as a load balancer spreads devices over gateways) and, when that endpoint
/// does not answer, to another one. A persistent session that drops (its gateway died) connects again, to another
/// endpoint picked at random, after a delay that doubles from <see cref="PublishOptions.ReconnectDelay"/> to
/// <see cref="PublishOptions.ReconnectDelayMax"/> with full jitter, as device firmware does so that thousands of
/// devices losing one gateway do not all knock on the next at the same instant.
/// </summary>
public sealed partial class CityPublisher
{
    // Set when the run ends: connections closed from then on are ours, not lost.
    private volatile bool _stopping;

    private async Task ConnectPersistentAsync(CancellationToken cancellationToken)
    {
        var connects = _city.Devices.Where(d => d.Persistent && _options.Shard.Contains(d)).Select(async device =>
        {
            await _connectSlots.WaitAsync(cancellationToken);
            try
            {
                await AttachDeviceAsync(device, await ConnectAsync(device.Info.Id, device.Password, 60, device.Index, () => OnDeviceLost(device), cancellationToken), cancellationToken);
            }
            finally
            {
                _connectSlots.Release();
            }
        });
        await Task.WhenAll(connects);
    }

    private async Task AttachDeviceAsync(CityDevice device, DeviceMqttClient? client, CancellationToken cancellationToken)
    {
        if (client is not null)
        {
            _clients[device.Index] = client;
            await SubscribeCommandsAsync(device, client, cancellationToken);
        }
    }

    private void OnDeviceLost(CityDevice device) => _ = ReconnectAsync(device.Info.Id, device.Password, device.Index,
        () => OnDeviceLost(device), (client, token) => AttachDeviceAsync(device, client, token));

    /// <summary>
    /// Connects <paramref name="id"/> to its endpoint (<paramref name="key"/> picks it), trying each other endpoint once
    /// when a connection cannot be made. <paramref name="onLost"/> runs when the connection later drops during the run.
    /// </summary>
    private async Task<DeviceMqttClient?> ConnectAsync(string id, string password, ushort keepAliveSeconds, int key, Action? onLost,
        CancellationToken cancellationToken)
    {
        var endpoints = _options.Endpoints;
        for (var attempt = 0; attempt < endpoints.Count; attempt++)
        {
            var (client, refusedByNetwork) = await TryConnectAsync(id, password, keepAliveSeconds, endpoints[(key + attempt) % endpoints.Count], onLost, cancellationToken);
            if (client is not null || !refusedByNetwork)
            {
                return client;
            }
        }

        return null;
    }

    // Connects again after a drop until it succeeds or the run ends; each try goes to an endpoint picked at random
    // among those the previous try did not use (the first try avoids the device's home endpoint, which may be the
    // one that was lost). Any other rule can pin a device to a dead endpoint: with two gateways, "the one after the
    // home one" is always the same, and a device moved there by an earlier failover never came back when it died.
    private async Task ReconnectAsync(string id, string password, int key, Action onLost, Func<DeviceMqttClient, CancellationToken, Task> attach)
    {
        var delay = _options.ReconnectDelay;
        var endpoints = _options.Endpoints;
        var previous = key % endpoints.Count;
        while (!_stopping)
        {
            // Full jitter: anywhere between nothing and the current delay.
            await Task.Delay(delay * Random.Shared.NextDouble());
            if (_stopping)
            {
                return;
            }

            var next = endpoints.Count == 1 ? 0 : (previous + 1 + Random.Shared.Next(endpoints.Count - 1)) % endpoints.Count;
            previous = next;
            var endpoint = endpoints[next];
            await _connectSlots.WaitAsync();
            try
            {
                if ((await TryConnectAsync(id, password, 60, endpoint, onLost, CancellationToken.None)).Client is { } client)
                {
                    Counters.AddReconnect();
                    await attach(client, CancellationToken.None);
                    return;
                }
            }
            finally
            {
                _connectSlots.Release();
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectDelayMax.Ticks));
        }
    }

    // The client, or null and whether the endpoint could not be reached at all (another endpoint may be tried).
    private async Task<(DeviceMqttClient? Client, bool RefusedByNetwork)> TryConnectAsync(string id, string password, ushort keepAliveSeconds,
        IPEndPoint endpoint, Action? onLost, CancellationToken cancellationToken)
    {
        var client = new DeviceMqttClient();
        try
        {
            await client.ConnectAsync(new DeviceMqttConnectOptions
            {
                Host = endpoint.Address.ToString(),
                Port = endpoint.Port,
                LocalAddress = SourceAddress(),
                ClientId = id,
                UserName = id,
                Password = password,
                KeepAliveSeconds = keepAliveSeconds,
            }, cancellationToken);
            Counters.AddConnected();
            client.Closed += (_, _) =>
            {
                Counters.AddDisconnected();
                if (!_stopping && onLost is not null)
                {
                    Counters.AddDrop();
                    onLost();
                }
            };
            return (client, false);
        }
        catch (Exception e) when (e is MqttClientException or IOException or SocketException)
        {
            await client.DisposeAsync();
            // Reaching the endpoint failed (refused, reset, no CONNACK in time): another endpoint may serve. A CONNACK
            // refusal is the device's own fault and would be refused everywhere.
            var network = e is SocketException or IOException
                || (e is MqttClientException m && m.Reason is DeviceMqttCloseReason.ConnectionLost or DeviceMqttCloseReason.ConnectTimeout);
            if (!network || _options.Endpoints.Count == 1)
            {
                Counters.AddError();
            }

            if (e is MqttClientException { Reason: DeviceMqttCloseReason.ConnectRefused })
            {
                Counters.AddRefused();
            }

            return (null, network);
        }
    }

    private async Task SessionAsync(CityDevice device, ulong sequence, byte[] payload, Task? previous, CancellationToken cancellationToken)
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
            if (await ConnectAsync(device.Info.Id, device.Password, keepAliveSeconds: 0, device.Index, onLost: null, cancellationToken) is not { } client)
            {
                if (_options.Endpoints.Count > 1)
                {
                    // No endpoint answered (each failure was not counted on its own).
                    Counters.AddError();
                }

                return;
            }

            // A gas meter checks its downlink queue first: the commands that waited for it arrive before the PUBACK.
            var downlink = device.Info.Kind == DeviceKind.GasMeter ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            var subscribed = downlink is not null && await SubscribeCommandsAsync(device, client, () => downlink.TrySetResult(), cancellationToken);
            try
            {
                var sentAt = Stopwatch.GetTimestamp();
                await client.PublishAsync(device.UplinkTopic, payload, MqttQoS.AtLeastOnce, cancellationToken: cancellationToken);
                Counters.AddAckLatency(sentAt);
                Acked(device, sequence);
            }
            catch (Exception e) when (e is MqttClientException or InvalidOperationException)
            {
                Counters.AddUnacked();
            }

            if (subscribed && client.IsConnected)
            {
                // Lingering takes no connect slot from the devices waiting to connect.
                _connectSlots.Release();
                slot = false;
                await LingerForCommandAsync(downlink!, cancellationToken);
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
