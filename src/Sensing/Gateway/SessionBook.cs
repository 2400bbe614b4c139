using System.Collections.Concurrent;
using Sensing.Core.Devices;

namespace Sensing.Gateway;

/// <summary>
/// The sessions of the devices this gateway serves, one per device: the device is the client (its id is the user
/// name, or the client id when there is none), so a second connection of the same device takes over the first
/// (MQTT-3.1.4-3). Sessions live in this gateway only: a device that reconnects to another gateway starts a new one.
/// </summary>
public sealed class SessionBook : IDisposable
{
    private readonly ConcurrentDictionary<string, DeviceSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _attachGate = new();
    private readonly GatewayOptions _options;
    private readonly Timer _sweeper;
    private long _sent;
    private long _acknowledged;
    private long _dropped;
    private long _takeovers;
    private long _noSession;

    /// <summary>Creates the book; offline persistent sessions are swept when they expire.</summary>
    public SessionBook(GatewayOptions options)
    {
        _options = options;
        _sweeper = new Timer(_ => Sweep(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

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

        Interlocked.Add(ref _dropped, session.Enqueue(command, out var sent));
        Interlocked.Add(ref _sent, sent);
        return true;
    }

    /// <summary>
    /// Binds a connection that has just been authenticated to the device's session, creating or resetting it.
    /// Returns the session and the connection it took over, if any; <paramref name="sessionPresent"/> is the CONNACK's
    /// Session Present flag (3.1.1 section 3.2.2.2, 5.0 section 3.2.2.1.1).
    /// </summary>
    internal DeviceSession Attach(
        MqttConnection connection, DeviceInfo device, bool cleanStart, uint expirySeconds, int receiveMaximum,
        out bool sessionPresent, out MqttConnection? previous)
    {
        lock (_attachGate)
        {
            var existing = _sessions.TryGetValue(device.Id, out var held) ? held : null;
            // 3.1.2.4 [MQTT-3.1.2-6] / 5.0 [MQTT-3.1.2-4]: Clean Start discards any existing session.
            sessionPresent = existing is not null && !cleanStart && existing.ExpirySeconds > 0;
            var session = existing ?? new DeviceSession(device, _options.MaxQueuedCommandsPerDevice);
            if (!sessionPresent)
            {
                session.Reset();
            }

            session.ExpirySeconds = expirySeconds;
            previous = session.Attach(connection, receiveMaximum);
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
