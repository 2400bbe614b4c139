using System.Net;
using Sensing.Simulators.City;

namespace Sensing.Simulators.Publishing;

/// <summary>How a city is published to a gateway (or any MQTT broker).</summary>
public sealed record PublishOptions
{
    /// <summary>Defaults: 127.0.0.1:1883, real time, 75 s.</summary>
    public static PublishOptions Default { get; } = new();

    /// <summary>The MQTT endpoint (with <see cref="Brokers"/> empty).</summary>
    public IPEndPoint Broker { get; init; } = new(IPAddress.Loopback, 1883);

    /// <summary>
    /// Every MQTT endpoint of the city, as several gateways behind one load balancer or DNS name: device i connects
    /// first to endpoint i mod count and, when that connection fails or drops, to another one picked at random, as a
    /// device firmware resolving the name again would. Empty: <see cref="Broker"/> alone.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Brokers { get; init; } = [];

    /// <summary>First wait before a dropped persistent session connects again; doubled after each failed try, with jitter.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two tries to connect again.</summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(16);

    /// <summary>The endpoints devices spread over: <see cref="Brokers"/>, or <see cref="Broker"/> alone.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => Brokers.Count > 0 ? Brokers : [Broker];

    /// <summary>Simulation time the run starts, Unix ms; when it is in the future the run waits for it, so at speed 1 the simulation clock is the wall clock.</summary>
    public long StartMs { get; init; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Simulated time the run covers.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Simulated seconds per real second: 1 is real time, 1440 replays a day in a minute.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Most QoS 1 publishes awaiting PUBACK across the whole fleet; publishing waits beyond it.</summary>
    public int MaxInFlight { get; init; } = 4_096;

    /// <summary>Connections being opened at once (persistent devices at start, NB-IoT sessions all along).</summary>
    public int ConcurrentConnects { get; init; } = 100;

    /// <summary>Connections per source address (127.0.0.1, .2, ...) before the next is used, below the ~28k ephemeral ports.</summary>
    public int ConnectionsPerSourceAddress { get; init; } = 20_000;

    /// <summary>
    /// The part of the city this process publishes (default: all of it). Shards take turns over the source addresses
    /// (shard i of n uses address numbers i, i + n, i + 2n, ...), so processes on one host never share a port range.
    /// </summary>
    public CityShard Shard { get; init; } = CityShard.Whole;

    /// <summary>Checks the options; throws naming the bad one.</summary>
    public PublishOptions Validate()
    {
        if (!(Speed is > 0 and <= 1_000_000))
        {
            throw new ArgumentException($"speed: must be in (0, 1000000], was {Speed}");
        }

        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException("duration: must be positive");
        }

        if (ReconnectDelay <= TimeSpan.Zero || ReconnectDelayMax < ReconnectDelay)
        {
            throw new ArgumentException("reconnect delay: must be positive and at most the longest reconnect delay");
        }

        if (MaxInFlight < 1 || ConcurrentConnects < 1 || ConnectionsPerSourceAddress < 1)
        {
            throw new ArgumentException("in-flight, concurrent connects and connections per address must be at least 1");
        }

        Shard.Validate();
        return this;
    }
}
