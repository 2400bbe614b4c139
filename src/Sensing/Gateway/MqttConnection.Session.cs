using System.Buffers.Text;
using System.Security.Cryptography;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// CONNECT, the device's session, takeover and the end of a connection. The gateway writes the device's connection
/// state into <c>sensing.telemetry</c> as the <c>online</c> metric: 0 when the connection ends the way an MQTT will
/// fires (3.1.2.5: no DISCONNECT, keep-alive expiry, a protocol error, or a 5.0 DISCONNECT with reason 0x04), and 1
/// on the device's next accepted CONNECT after that. That offline event is the device's will, whatever will topic it
/// named. A CONNECT of a device not known offline writes nothing: a device that connects, publishes and disconnects
/// (NB-IoT) costs one record per reading, and its reading is what tells the processor it is alive. A concentrator's
/// connection writes neither: it is not a device, and its devices' presence is their readings' age.
/// </summary>
internal sealed partial class MqttConnection
{
    // How long the offline event may wait for room in the producer's buffer when the connection ends.
    private static readonly TimeSpan OfflineEventTimeout = TimeSpan.FromSeconds(5);

    private uint _clientMaxPacketSize;
    private uint _willDelaySeconds;
    private int _deviceNumber;

    private Step HandleConnect(MqttFrame frame)
    {
        // Protocol level sits after the 6-byte protocol name "MQTT" (3.1.2.2); knowing it lets a refusal
        // use the client's version.
        _version = frame.Body.Length > 6 && frame.Body[6] == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        if (!MqttConnect.TryDecode(frame, out var connect, out var error))
        {
            _counters.MalformedPacket();
            return RefuseConnect(error.ToReasonCode(), error.ToConnectReturnCode() ?? MqttConnectReturnCode.IdentifierRejected);
        }

        _version = connect.ProtocolVersion;
        if (!_addressAllowed)
        {
            // Too many connections from this source address: 5.0 0x9F (3.2.2.2), 3.1.1 0x03 Server unavailable.
            _counters.RefusedConnect();
            return RefuseConnect(MqttReasonCode.ConnectionRateExceeded, MqttConnectReturnCode.ServerUnavailable);
        }

        var identity = connect.HasUserName ? connect.UserName : connect.ClientId;
        if (!_registry.TryFind(identity, out var number) || !_registry[number].PasswordMatches(connect.Password, connect.HasPassword))
        {
            _counters.RefusedConnect();
            return RefuseConnect(MqttReasonCode.BadUserNameOrPassword, MqttConnectReturnCode.BadUserNameOrPassword);
        }

        var device = _registry[number];
        if (device.Revoked)
        {
            // A revoked device is refused as not authorized (5.0 0x87, 3.1.1 return code 5), whatever its password.
            _counters.RefusedConnect();
            return RefuseConnect(MqttReasonCode.NotAuthorized, MqttConnectReturnCode.NotAuthorized);
        }

        if (device.Kind == DeviceKind.Concentrator)
        {
            // The registry file checks the scope at load; an entry added at run time with a bad one is refused here.
            try
            {
                _scope = ConcentratorScope.Of(device);
            }
            catch (FormatException)
            {
                _counters.RefusedConnect();
                return RefuseConnect(MqttReasonCode.NotAuthorized, MqttConnectReturnCode.NotAuthorized);
            }
        }

        _device = device;
        _deviceNumber = number;
        _keepAlive = TimeSpan.FromSeconds(connect.KeepAliveSeconds);
        _clientMaxPacketSize = connect.MaximumPacketSize;
        _willDelaySeconds = connect.HasWill ? connect.WillDelayInterval : 0;
        var expiry = GrantedExpiry(connect);
        var receiveMaximum = _version == MqttProtocolVersion.V500
            ? Math.Min(connect.ReceiveMaximum, _options.MaxDownlinkInflight)
            : _options.MaxDownlinkInflight;
        _session = _sessions.Attach(this, device, number, connect.CleanStart, expiry, receiveMaximum, out var present, out var previous, out var backFromOffline);
        // MQTT-3.1.4-3: the connection already open for this device is closed (5.0: DISCONNECT 0x8E first).
        previous?.TakeOver();

        _counters.Connected(device.Kind);
        Send(_version == MqttProtocolVersion.V500 ? Outbound.ConnAck5(MqttReasonCode.Success, present) : Outbound.ConnAck311(MqttConnectReturnCode.Accepted, present));
        _connAckSent = true;
        _sessions.CountSent(_session.Resume());
        if (_scope is null && backFromOffline)
        {
            _pendingProduce = WriteOnlineAsync(device, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _context.ConnectionClosed);
        }

        return Step.Continue;
    }

    private uint GrantedExpiry(MqttConnect connect)
    {
        var max = (uint)_options.MaxSessionExpiry.TotalSeconds;
        if (_version != MqttProtocolVersion.V500)
        {
            // 3.1.1 3.1.2.4: Clean Session 0 keeps the session after the connection; its lifetime is the gateway's.
            return connect.CleanStart ? 0 : max;
        }

        // 5.0 3.1.2.11.2: 0 ends the session with the connection, 0xFFFFFFFF never; the gateway caps it and then
        // tells the client in CONNACK (3.2.2.3.2).
        var requested = connect.SessionExpiryInterval;
        _grantedExpiry = Math.Min(requested, max);
        _expiryChanged = _grantedExpiry != requested;
        return _grantedExpiry;
    }

    /// <summary>Another connection of the same device connected: close this one without an offline event.</summary>
    internal void TakeOver()
    {
        _takenOver = true;
        if (!TryQueue(Outbound.Disconnect(MqttReasonCode.SessionTakenOver)))
        {
            _context.Abort();
        }
    }

    /// <summary>
    /// The device was removed from the registry or revoked: close this connection now (5.0: DISCONNECT 0x98
    /// Administrative action first), without an offline event: the device is not offline, it is no longer admitted.
    /// </summary>
    internal void Revoke()
    {
        _takenOver = true;
        if (!TryQueue(Outbound.Disconnect(MqttReasonCode.AdministrativeAction)))
        {
            _context.Abort();
        }
    }

    private async Task EndSessionAsync()
    {
        if (_session is null || _device is null)
        {
            return;
        }

        if (_scope is not null)
        {
            // A concentrator has no online record: its devices are judged by their readings' age (docs/gateway.md).
            _sessions.Detach(_session, this);
            return;
        }

        // False when another connection took the session over: the device is still online there.
        var detached = _sessions.Detach(_session, this);
        if (!detached || _disconnectedCleanly || _stopping.IsCancellationRequested)
        {
            return;
        }

        // 5.0 3.1.3.2.2: the will waits for its Will Delay Interval or the end of the session, whichever comes first,
        // and is not sent if the device connected again meanwhile (even if that connection has ended since).
        // The event is stamped with the time the connection was lost, not the time it is written: a device that
        // connected to another gateway meanwhile has readings later than it, and the detector then knows it is stale.
        var lostAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var delay = Math.Min(_willDelaySeconds, _session.ExpirySeconds);
        if (delay > 0)
        {
            var device = _device;
            var number = _deviceNumber;
            var mark = _sessions.ConnectMark(number);
            _ = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(delay), _stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!_stopping.IsCancellationRequested && _sessions.ConnectMark(number) == mark)
                {
                    await WriteOfflineAsync(device, number, lostAtMs);
                }
            });
            return;
        }

        await WriteOfflineAsync(_device, _deviceNumber, lostAtMs);
    }

    private async Task WriteOfflineAsync(DeviceInfo device, int number, long lostAtMs)
    {
        // Marked before the record is handed to Kafka, so a CONNECT racing with it writes online=1 after it.
        _sessions.MarkOffline(number);
        using var timeout = new CancellationTokenSource(OfflineEventTimeout);
        try
        {
            await WriteOnlineAsync(device, 0, lostAtMs, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or Confluent.Kafka.KafkaException)
        {
            // Kafka cannot take it now; the processor's silence rule still reports the device offline.
        }
    }

    private ValueTask WriteOnlineAsync(DeviceInfo device, int online, long eventTimeMs, CancellationToken cancellationToken)
    {
        _counters.ConnectionEvent();
        // The event goes through the same decode and produce path as a device's JSON reading. Its sequence number is
        // 0: the gateway does not know the device's counter, and 0 never passes a real reading.
        Span<byte> json = stackalloc byte[64];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        "{\"seq\":0,\"ts\":"u8.CopyTo(json);
        var length = 14;
        Utf8Formatter.TryFormat(eventTimeMs, json[length..], out var written);
        length += written;
        var tail = online == 1 ? ",\"online\":1}"u8 : ",\"online\":0}"u8;
        tail.CopyTo(json[length..]);
        length += tail.Length;
        return _ingest.IngestAsync(device, json[..length], now, null, cancellationToken);
    }

    private Step RefuseConnect(MqttReasonCode reason, MqttConnectReturnCode code)
    {
        Send(_version == MqttProtocolVersion.V500 ? Outbound.ConnAck5(reason) : Outbound.ConnAck311(code));
        return Step.Close;
    }
}
