using System.Text.Json;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// The downlink: gas meters subscribe to their command topic <c>sensing/&lt;id&gt;/down</c> (docs/gateway.md) and act
/// on the commands the gateway delivers there (a valve-close after a rupture alert). A meter with a persistent session
/// subscribes once per connection; a connect-publish-disconnect meter subscribes in every session before it publishes,
/// as an NB-IoT meter checks its downlink queue when it wakes, and so gets the commands that waited for it. Every command
/// received is recorded in <see cref="CommandLog"/>; a device tells a repeat by the command's id and acts once.
/// </summary>
public sealed partial class CityPublisher
{
    /// <summary>
    /// How long a connect-publish-disconnect gas meter stays connected after its reading's PUBACK when no command came
    /// (a command that waited for it arrives before that PUBACK; one issued meanwhile may still come).
    /// </summary>
    public static readonly TimeSpan CommandLinger = TimeSpan.FromMilliseconds(500);

    // Time left for the device's PUBACK of a command that arrived while it lingered, before it disconnects.
    private static readonly TimeSpan CommandSettle = TimeSpan.FromMilliseconds(50);

    // The (device index, command id) pairs the devices have received: how a device tells a repeat.
    private readonly HashSet<(int Device, string Id)> _commandsReceived = [];

    /// <summary>Where every command a device received is recorded, or null.</summary>
    public CommandLog? CommandLog { get; init; }

    private Task SubscribeCommandsAsync(CityDevice device, DeviceMqttClient client, CancellationToken cancellationToken) =>
        device.Info.Kind == DeviceKind.GasMeter ? SubscribeCommandsAsync(device, client, null, cancellationToken) : Task.CompletedTask;

    // Subscribes a gas meter to its downlink; true once subscribed. onCommand (if any) runs after each command.
    private async Task<bool> SubscribeCommandsAsync(CityDevice device, DeviceMqttClient client, Action? onCommand, CancellationToken cancellationToken)
    {
        client.MessageReceived += (DeviceMqttClient _, in MqttPublish message) =>
        {
            OnCommand(device, message.Payload);
            onCommand?.Invoke();
        };
        try
        {
            await client.SubscribeAsync($"sensing/{device.Info.Id}/down", MqttQoS.AtLeastOnce, cancellationToken);

            // From now on the valve follows the commands instead of closing by itself.
            device.ValveByCommand = true;
            return true;
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException)
        {
            // A connection that dropped (its gateway died) took the SUBACK with it; anything else, a SUBACK that never
            // came included, is an error.
            if (client.IsConnected || e is MqttClientException { Reason: DeviceMqttCloseReason.RequestTimeout })
            {
                Counters.AddError();
            }

            return false;
        }
    }

    // A connect-publish-disconnect meter after its reading's PUBACK: unless a command came already, waits up to
    // CommandLinger for one, and after one that came meanwhile a moment more, so that the device's PUBACK of it (written
    // right after the MessageReceived handler) goes out before DISCONNECT.
    private static async Task LingerForCommandAsync(TaskCompletionSource arrived, CancellationToken cancellationToken)
    {
        if (arrived.Task.IsCompleted)
        {
            return;
        }

        if (await Task.WhenAny(arrived.Task, Task.Delay(CommandLinger, cancellationToken)) == arrived.Task)
        {
            await Task.Delay(CommandSettle, cancellationToken);
        }
    }

    /// <summary>
    /// How long, at most, the fleet stays after its last reading while a meter of it waits for its valve-close
    /// (<see cref="CityModel.AwaitsValveClose"/>): an alert raised late in the run still reaches its meter.
    /// </summary>
    public static readonly TimeSpan ValveCloseWait = TimeSpan.FromMinutes(2);

    // How often a connect-publish-disconnect meter that waits for its valve-close checks its downlink after the run.
    private static readonly TimeSpan DownlinkCheckInterval = TimeSpan.FromSeconds(5);

    // After the last reading: while a meter of this shard has reported a rupture and its valve is still open, the shard
    // keeps its sessions and the connect-publish-disconnect ones check their downlink every few seconds, until every such
    // valve is closed or ValveCloseWait has passed.
    private async Task AwaitValveClosesAsync(CancellationToken cancellationToken)
    {
        var waiting = _city.Devices.Where(d => _options.Shard.Contains(d) && d.Concentrator < 0 && _city.AwaitsValveClose(d)).ToList();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waiting.Count > 0 && waited.Elapsed < ValveCloseWait)
        {
            await Task.Delay(DownlinkCheckInterval, cancellationToken);
            foreach (var device in waiting.Where(d => !d.Persistent))
            {
                await CheckDownlinkAsync(device, cancellationToken);
            }

            waiting.RemoveAll(d => !_city.AwaitsValveClose(d));
        }
    }

    // A session without a reading: connect, subscribe to the downlink, wait for a command, disconnect.
    private async Task CheckDownlinkAsync(CityDevice device, CancellationToken cancellationToken)
    {
        await _connectSlots.WaitAsync(cancellationToken);
        DeviceMqttClient? client;
        try
        {
            client = await ConnectAsync(device.Info.Id, device.Password, keepAliveSeconds: 0, device.Index, onLost: null, cancellationToken);
        }
        finally
        {
            _connectSlots.Release();
        }

        if (client is null)
        {
            return;
        }

        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (await SubscribeCommandsAsync(device, client, () => arrived.TrySetResult(), cancellationToken))
        {
            await LingerForCommandAsync(arrived, cancellationToken);
        }

        await client.DisconnectAsync(CancellationToken.None);
    }

    private void OnCommand(CityDevice device, ReadOnlySpan<byte> payload)
    {
        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(payload, DeviceCommandJsonContext.Default.DeviceCommand);
        }
        catch (JsonException)
        {
            command = null;
        }

        if (command is null)
        {
            Counters.AddIgnoredCommand();
            return;
        }

        bool repeat;
        lock (_commandsReceived)
        {
            repeat = !_commandsReceived.Add((device.Index, command.Id));
        }

        CommandLog?.Add(command.Id, device.Info.Id, command.Command, repeat);
        if (repeat)
        {
            // A redelivery (QoS 1): acted on already.
            Counters.AddRepeatedCommand();
        }
        else if (_city.Apply(device, command, Counters.SimulatedTimeMs))
        {
            Counters.AddCommand();
        }
        else
        {
            Counters.AddIgnoredCommand();
        }
    }
}
