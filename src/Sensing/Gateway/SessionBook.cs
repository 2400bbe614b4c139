using System.Collections.Concurrent;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>
/// The sessions of the devices this gateway serves, one per device: the device is the client (its id is the user
/// name, or the client id when there is none), so a second connection of the same device takes over the first
/// (MQTT-3.1.4-3). Sessions live in this gateway only: a device that reconnects to another gateway starts a new one,
/// which is given the commands still pending for the device (<see cref="CommandLedger"/>), wherever they were queued.
/// </summary>
public sealed class SessionBook : IDisposable
{
    private readonly ConcurrentDictionary<string, DeviceSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _attachGate = new();
    private readonly GatewayOptions _options;
    private readonly Timer _sweeper;

    // One delegate for every session (a lambda per session would be an object per connection).
    private readonly Action<DeviceInfo, byte[]> _delivered;

    // By dense device number: 1 when the last connection record the gateway wrote for the device was offline (its
    // will fired), so its next CONNECT writes online=1. Devices start as 0: a device that connects, publishes and
    // disconnects costs no connection record at all. Guarded by _attachGate.
    private byte[] _lastRecordOffline = [];

    // By dense device number: the number of the device's last accepted CONNECT on this gateway, 0 before the first
    // (a delayed will fires only if no CONNECT came since). An array, 8 bytes per device, rather than a dictionary
    // by id, which cost about 60 bytes for every device that ever connected here and grew with connect, publish
    // and disconnect devices arriving over hours. Guarded by _attachGate.
    private long[] _connectMarks = [];
    private long _sent;
    private long _acknowledged;
    private long _dropped;
    private long _takeovers;
    private long _noSession;
    private long _connects;
    private long _revoked;

    /// <summary>Creates the book; offline persistent sessions are swept when they expire.</summary>
    public SessionBook(GatewayOptions options)
    {
        _options = options;
        Ledger = new CommandLedger(options);
        _delivered = (device, command) => Delivered?.Invoke(device, command);
        _sweeper = new Timer(_ => Sweep(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    /// <summary>Commands not yet acknowledged by their devices, whichever gateway holds them.</summary>
    public CommandLedger Ledger { get; }

    /// <summary>
    /// A device has a command: it acknowledged it (QoS 1) or it was sent at QoS 0. Raised under the session's lock, on
    /// the connection's or the command consumer's thread: keep it short.
    /// </summary>
    public event Action<DeviceInfo, byte[]>? Delivered;

    /// <summary>Sessions held (connected or offline persistent).</summary>
    public int Count => _sessions.Count;

    /// <summary>Downlink PUBLISH packets handed to connections.</summary>
    public long CommandsSent => Interlocked.Read(ref _sent);

    /// <summary>QoS 1 downlink commands the device acknowledged.</summary>
    public long CommandsAcknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Commands for devices without a session here or subscription, or pushed out of a full queue.</summary>
    public long CommandsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Commands for devices with no session on this gateway (served by another one, or offline without a session).</summary>
    public long CommandsWithoutSession => Interlocked.Read(ref _noSession);

    /// <summary>Connections closed because the same device connected again.</summary>
    public long Takeovers => Interlocked.Read(ref _takeovers);

    /// <summary>Commands queued for the device (0 when it has no session here).</summary>
    public int QueuedFor(string deviceId) => _sessions.TryGetValue(deviceId, out var session) ? session.QueuedCount : 0;

    /// <summary>True when the device has a live connection to this gateway.</summary>
    public bool IsConnected(string deviceId) => _sessions.TryGetValue(deviceId, out var session) && session.Connection is not null;

    /// <summary>Changes every time device <paramref name="deviceNumber"/> connects here; 0 before its first CONNECT.</summary>
    internal long ConnectMark(int deviceNumber)
    {
        lock (_attachGate)
        {
            return deviceNumber < _connectMarks.Length ? _connectMarks[deviceNumber] : 0;
        }
    }

    /// <summary>True when the device has a session here with a downlink subscription.</summary>
    public bool IsSubscribed(string deviceId) => _sessions.TryGetValue(deviceId, out var session) && session.Subscription is not null;

    /// <summary>
    /// Hands one command to the device's session. False when this gateway holds no session for the device (another
    /// gateway may serve it).
    /// </summary>
    public bool Deliver(string deviceId, byte[] command)
    {
        if (!_sessions.TryGetValue(deviceId, out var session))
        {
            Interlocked.Increment(ref _noSession);
            return false;
        }

        if (session.Holds(command))
        {
            // Given to the session from the ledger when it was created, while the consumer was still reading.
            return true;
        }

        Interlocked.Add(ref _dropped, session.Enqueue(command, out var sent));
        Interlocked.Add(ref _sent, sent);
        return true;
    }

    /// <summary>
    /// Binds a connection that has just been authenticated to the device's session, creating or resetting it.
    /// Returns the session and the connection it took over, if any; <paramref name="sessionPresent"/> is the CONNACK's
    /// Session Present flag (3.1.1 section 3.2.2.2, 5.0 section 3.2.2.1.1). <paramref name="backFromOffline"/> is true
    /// when the last connection record written for device <paramref name="deviceNumber"/> was offline (see
    /// <see cref="MarkOffline"/>); the device counts as online again from here.
    /// </summary>
    internal DeviceSession Attach(
        MqttConnection connection, DeviceInfo device, int deviceNumber, bool cleanStart, uint expirySeconds, int receiveMaximum,
        out bool sessionPresent, out MqttConnection? previous, out bool backFromOffline)
    {
        lock (_attachGate)
        {
            backFromOffline = deviceNumber < _lastRecordOffline.Length && _lastRecordOffline[deviceNumber] != 0;
            if (backFromOffline)
            {
                _lastRecordOffline[deviceNumber] = 0;
            }

            var existing = _sessions.TryGetValue(device.Id, out var held) ? held : null;
            // 3.1.2.4 [MQTT-3.1.2-6] / 5.0 [MQTT-3.1.2-4]: Clean Start discards any existing session.
            sessionPresent = existing is not null && !cleanStart && existing.ExpirySeconds > 0;
            var session = existing ?? new DeviceSession(device, _options.MaxQueuedCommandsPerDevice, _delivered);
            if (!sessionPresent)
            {
                session.Reset();
            }

            session.ExpirySeconds = expirySeconds;
            previous = session.Attach(connection, receiveMaximum);
            if (!sessionPresent)
            {
                // Commands queued for the device elsewhere (a gateway that died, an earlier session) and never
                // acknowledged: the device gets them once it subscribes to its downlink topic.
                foreach (var command in Ledger.PendingFor(device.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
                {
                    Interlocked.Add(ref _dropped, session.EnqueuePending(command));
                }
            }
            if (deviceNumber >= _connectMarks.Length)
            {
                Array.Resize(ref _connectMarks, Math.Max(deviceNumber + 1, _connectMarks.Length * 2));
            }

            _connectMarks[deviceNumber] = Interlocked.Increment(ref _connects);
            if (previous is not null)
            {
                Interlocked.Increment(ref _takeovers);
            }

            _sessions[device.Id] = session;
            return session;
        }
    }

    /// <summary>
    /// Unbinds a closing connection. A session without expiry ends now; a persistent one stays until it expires.
    /// False when another connection had taken the session over.
    /// </summary>
    internal bool Detach(DeviceSession session, MqttConnection connection)
    {
        lock (_attachGate)
        {
            if (!session.Detach(connection, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
            {
                return false;
            }

            if (session.ExpirySeconds == 0)
            {
                _sessions.TryRemove(new KeyValuePair<string, DeviceSession>(session.Device.Id, session));
                session.End();
            }

            return true;
        }
    }

    /// <summary>
    /// The gateway is writing an offline record (online=0) for device <paramref name="deviceNumber"/>: its next
    /// CONNECT writes online=1.
    /// </summary>
    internal void MarkOffline(int deviceNumber)
    {
        lock (_attachGate)
        {
            if (deviceNumber >= _lastRecordOffline.Length)
            {
                // The registry may grow while the gateway runs: grow to the number with room, not one at a time.
                Array.Resize(ref _lastRecordOffline, Math.Max(deviceNumber + 1, _lastRecordOffline.Length * 2));
            }

            _lastRecordOffline[deviceNumber] = 1;
        }
    }

    /// <summary>
    /// The device was removed from the registry or revoked: its session here ends (queued commands go with it) and
    /// its connection, if one is open, is closed now. False when this gateway held no session for it.
    /// </summary>
    internal bool Revoke(string deviceId)
    {
        MqttConnection? connection;
        lock (_attachGate)
        {
            if (!_sessions.TryRemove(deviceId, out var session))
            {
                return false;
            }

            connection = session.Connection;
            session.End();
            Interlocked.Increment(ref _revoked);
        }

        connection?.Revoke();
        return true;
    }

    /// <summary>
    /// Applies registry changes: each device removed, or revoked, loses its session here and its connection
    /// (<see cref="Revoke"/>). A changed password takes effect on the device's next CONNECT; the open connection stays.
    /// </summary>
    public void OnRegistryChanged(IReadOnlyList<DeviceChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Before is { } before && (change.After is null || (change.After.Revoked && !before.Revoked)))
            {
                Revoke(before.Id);
            }
        }
    }

    /// <summary>Sessions ended because their device was removed from the registry or revoked.</summary>
    public long Revoked => Interlocked.Read(ref _revoked);

    internal void CountAcknowledged(int sent)
    {
        Interlocked.Increment(ref _acknowledged);
        Interlocked.Add(ref _sent, sent);
    }

    internal void CountSent(int sent) => Interlocked.Add(ref _sent, sent);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Ends offline sessions whose expiry passed (3.1.2.11.2 Session Expiry Interval).</summary>
    internal void Sweep(long nowMs)
    {
        lock (_attachGate)
        {
            foreach (var (id, session) in _sessions)
            {
                if (session.ExpiresAtMs <= nowMs && session.Connection is null)
                {
                    _sessions.TryRemove(new KeyValuePair<string, DeviceSession>(id, session));
                    session.End();
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _sweeper.Dispose();
}
