namespace Sensing.Simulators.Publishing;

/// <summary>
/// <see cref="PublishCounters"/> read at one moment, or several runs' counters summed (the shards of one city).
/// </summary>
/// <param name="Devices">Devices in the fleet (or shard).</param>
/// <param name="Connected">Devices connected now.</param>
/// <param name="PeakConnected">Most devices connected at once (summed over shards: an upper bound of the whole's peak).</param>
/// <param name="Sent">Readings published, duplicates included.</param>
/// <param name="Acked">Readings acknowledged with PUBACK.</param>
/// <param name="Errors">Connection failures, refusals and lost connections.</param>
/// <param name="Duplicates">Readings delivered a second time on purpose.</param>
/// <param name="SimulatedTimeMs">Simulation clock, Unix ms (the earliest of the shards' clocks when summed).</param>
public readonly record struct PublishSnapshot(
    long Devices, long Connected, long PeakConnected, long Sent, long Acked, long Errors, long Duplicates, long SimulatedTimeMs)
{
    /// <summary>Persistent sessions whose connection dropped during the run.</summary>
    public long Drops { get; init; }

    /// <summary>Persistent sessions connected again after their connection dropped.</summary>
    public long Reconnects { get; init; }

    /// <summary>Readings not sent because their device's persistent session was down when they fell due.</summary>
    public long Offline { get; init; }

    /// <summary>Readings sent whose connection dropped before their PUBACK came.</summary>
    public long Unacked { get; init; }

    /// <summary>Connections refused with a CONNACK code (counted in <see cref="Errors"/> too).</summary>
    public long Refused { get; init; }

    /// <summary>The sum of two runs' counters; the simulation clock is the one further behind.</summary>
    public static PublishSnapshot operator +(PublishSnapshot a, PublishSnapshot b) => new(
        a.Devices + b.Devices, a.Connected + b.Connected, a.PeakConnected + b.PeakConnected, a.Sent + b.Sent,
        a.Acked + b.Acked, a.Errors + b.Errors, a.Duplicates + b.Duplicates,
        a.SimulatedTimeMs == 0 ? b.SimulatedTimeMs : b.SimulatedTimeMs == 0 ? a.SimulatedTimeMs : Math.Min(a.SimulatedTimeMs, b.SimulatedTimeMs))
    {
        Drops = a.Drops + b.Drops, Reconnects = a.Reconnects + b.Reconnects, Offline = a.Offline + b.Offline, Unacked = a.Unacked + b.Unacked, Refused = a.Refused + b.Refused,
    };
}
