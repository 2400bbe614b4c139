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

    /// <summary>Devices connected now.</summary>
    public long Connections => Interlocked.Read(ref _connections);

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

    internal void Connected()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _connectionsTotal);
    }

    internal void Disconnected() => Interlocked.Decrement(ref _connections);

    internal void Readings() => Interlocked.Increment(ref _readings);

    internal void Persisted() => Interlocked.Increment(ref _persisted);

    internal void Failed() => Interlocked.Increment(ref _failed);

    internal void DeadLettered() => Interlocked.Increment(ref _deadLettered);

    internal void RefusedConnect() => Interlocked.Increment(ref _refused);

    internal void MalformedPacket() => Interlocked.Increment(ref _malformed);
}
