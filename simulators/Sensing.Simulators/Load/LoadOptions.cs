using System.Net;
using Sensing.Mqtt;

namespace Sensing.Simulators.Load;

/// <summary>What a <see cref="LoadDriver"/> connects to, how many connections it holds and how fast it publishes.</summary>
public sealed record LoadOptions
{
    /// <summary>Options with every default: 100 connections to 127.0.0.1:1883, 10,000 QoS 1 messages/s for 10 s.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>The MQTT server (a Sensing gateway or any broker).</summary>
    public IPEndPoint Target { get; init; } = new(IPAddress.Loopback, 1883);

    /// <summary>Connections held open, one device each.</summary>
    public int Connections { get; init; } = 100;

    /// <summary>Total PUBLISH rate aimed at (messages/s over all connections); 0 holds the connections idle.</summary>
    public double Rate { get; init; } = 10_000;

    /// <summary>QoS of every PUBLISH: 0 (no acknowledgment) or 1 (PUBACK, whose latency is measured).</summary>
    public MqttQoS QoS { get; init; } = MqttQoS.AtLeastOnce;

    /// <summary>How long to publish (or, at rate 0, to hold the connections) once all are connected.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Local addresses the connections come from, round robin (127.0.0.2, 127.0.0.3, ...): each has its own ~28k
    /// ephemeral ports. Empty lets the OS choose.
    /// </summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>
    /// Device ids, one per connection (client id and user name); fewer than <see cref="Connections"/> is an error.
    /// Empty: load-000001, load-000002, ... (brokers without a registry accept any).
    /// </summary>
    public IReadOnlyList<string> DeviceIds { get; init; } = [];

    /// <summary>
    /// Readings per PUBLISH. 1 (the default): every connection is a device publishing its own readings. Above 1: every
    /// connection is a concentrator publishing a JSON batch (docs/gateway.md, "Concentrators") of this many readings,
    /// one for each of its devices (<see cref="BatchDeviceId"/>), so readings/s is messages/s times the batch.
    /// </summary>
    public int Batch { get; init; } = 1;

    /// <summary>
    /// The devices the connections' batches carry readings for, <see cref="Batch"/> per connection in order; fewer than
    /// <see cref="Connections"/> x <see cref="Batch"/> is an error. Empty: load-000001, load-000002, ...
    /// </summary>
    public IReadOnlyList<string> BatchDeviceIds { get; init; } = [];

    /// <summary>The password every device sends; null sends none.</summary>
    public string? Password { get; init; }

    /// <summary>QoS 1 publishes one connection may have waiting for PUBACK; past it the connection's due messages wait.</summary>
    public int Window { get; init; } = 64;

    /// <summary>Connections being set up at once.</summary>
    public int ConcurrentConnects { get; init; } = 200;

    /// <summary>How often the pacer hands due messages to the sockets; messages due within one tick go out in one send.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>After the duration, how long to wait for outstanding PUBACKs before reporting.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>MQTT keep alive announced in CONNECT; 0 (the default) turns it off, so idle connections send nothing.</summary>
    public ushort KeepAliveSeconds { get; init; }

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public LoadOptions Validate()
    {
        if (Connections < 1)
        {
            throw new ArgumentException("load.connections: must be at least 1");
        }

        if (Rate < 0 || double.IsNaN(Rate) || double.IsInfinity(Rate))
        {
            throw new ArgumentException("load.rate: must be 0 or a positive number of messages/s");
        }

        if (QoS is not (MqttQoS.AtMostOnce or MqttQoS.AtLeastOnce))
        {
            throw new ArgumentException("load.qos: must be 0 or 1");
        }

        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException("load.duration: must be positive");
        }

        if (DeviceIds.Count != 0 && DeviceIds.Count < Connections)
        {
            throw new ArgumentException($"load.devices: {DeviceIds.Count} device ids for {Connections} connections");
        }

        // 500 JSON readings of ~60 bytes stay below the gateway's 64 KiB maximum packet size.
        if (Batch is < 1 or > 500)
        {
            throw new ArgumentException($"load.batch: must be 1-500 readings per PUBLISH, was {Batch}");
        }

        if (Batch > 1 && BatchDeviceIds.Count != 0 && BatchDeviceIds.Count < (long)Connections * Batch)
        {
            throw new ArgumentException($"load.batch: {BatchDeviceIds.Count} devices for {Connections} concentrators of {Batch} devices each");
        }

        if (Window is < 1 or > 65_535)
        {
            throw new ArgumentException("load.window: must be 1-65535 (MQTT packet identifiers)");
        }

        if (ConcurrentConnects < 1 || Tick <= TimeSpan.Zero || DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("load: concurrentConnects, tick and drainTimeout must be positive");
        }

        return this;
    }

    /// <summary>The device id of connection <paramref name="index"/>.</summary>
    public string DeviceId(int index) => DeviceIds.Count != 0 ? DeviceIds[index] : $"load-{index + 1:D6}";

    /// <summary>The device of item <paramref name="item"/> in the batches of connection <paramref name="index"/>.</summary>
    public string BatchDeviceId(int index, int item)
    {
        var n = (index * Batch) + item;
        return BatchDeviceIds.Count != 0 ? BatchDeviceIds[n] : $"load-{n + 1:D6}";
    }

    /// <summary>The source address of connection <paramref name="index"/>, or null.</summary>
    public IPAddress? SourceAddress(int index) => SourceAddresses.Count == 0 ? null : SourceAddresses[index % SourceAddresses.Count];
}
