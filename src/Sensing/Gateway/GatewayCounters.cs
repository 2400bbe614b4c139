using Sensing.Core.Devices;
using Sensing.Core.Payloads;

namespace Sensing.Gateway;

/// <summary>What a gateway has done since it started; read by progress output and metrics.</summary>
public sealed class GatewayCounters
{
    private long _connections;
    private long _connectionsTotal;
    private long _readings;
    private long _persisted;
    private long _failed;
    private long _deadLettered;
    private long _refused;
    private long _malformed;
    private long _connectionEvents;

    // By kind and by dead-letter reason, indexed by the enum's byte value: counted without allocation, read at export.
    private readonly long[] _readingsByKind = new long[byte.MaxValue + 1];
    private readonly long[] _deadLettersByReason = new long[byte.MaxValue + 1];
    private readonly long[] _connectionsByKind = new long[byte.MaxValue + 1];

    /// <summary>Devices connected now.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Devices of <paramref name="kind"/> connected now.</summary>
    public long ConnectionsOf(DeviceKind kind) => Interlocked.Read(ref _connectionsByKind[(byte)kind]);

    /// <summary>Connections accepted since start.</summary>
    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);

    /// <summary>Readings decoded and handed to Kafka.</summary>
    public long ReadingsIn => Interlocked.Read(ref _readings);

    /// <summary>Records (readings and dead letters) Kafka acknowledged.</summary>
    public long PersistedInKafka => Interlocked.Read(ref _persisted);

    /// <summary>Records Kafka did not take (the device was not acknowledged and will resend).</summary>
    public long KafkaFailures => Interlocked.Read(ref _failed);

    /// <summary>Payloads sent to the dead-letter topic.</summary>
    public long DeadLetters => Interlocked.Read(ref _deadLettered);

    /// <summary>CONNECTs refused (unknown device, bad password).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Connections closed for a malformed packet.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>
    /// The gateway's own online/offline records (sequence 0) handed to Kafka; they are counted in
    /// <see cref="ReadingsIn"/> and <see cref="PersistedInKafka"/> too.
    /// </summary>
    public long ConnectionEvents => Interlocked.Read(ref _connectionEvents);

    /// <summary>Readings of devices of <paramref name="kind"/> decoded and handed to Kafka.</summary>
    public long ReadingsOf(DeviceKind kind) => Interlocked.Read(ref _readingsByKind[(byte)kind]);

    /// <summary>Payloads sent to the dead-letter topic for <paramref name="reason"/>.</summary>
    public long DeadLettersFor(PayloadError reason) => Interlocked.Read(ref _deadLettersByReason[(byte)reason]);

    internal void Connected(DeviceKind kind)
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _connectionsTotal);
        Interlocked.Increment(ref _connectionsByKind[(byte)kind]);
    }

    internal void Disconnected(DeviceKind kind)
    {
        Interlocked.Decrement(ref _connections);
        Interlocked.Decrement(ref _connectionsByKind[(byte)kind]);
    }

    internal void ConnectionEvent() => Interlocked.Increment(ref _connectionEvents);

    internal void Readings(DeviceKind kind)
    {
        Interlocked.Increment(ref _readings);
        Interlocked.Increment(ref _readingsByKind[(byte)kind]);
    }

    internal void Persisted() => Interlocked.Increment(ref _persisted);

    internal void Failed() => Interlocked.Increment(ref _failed);

    internal void DeadLettered(PayloadError reason)
    {
        Interlocked.Increment(ref _deadLettered);
        Interlocked.Increment(ref _deadLettersByReason[(byte)reason]);
    }

    internal void RefusedConnect() => Interlocked.Increment(ref _refused);

    internal void MalformedPacket() => Interlocked.Increment(ref _malformed);
}
