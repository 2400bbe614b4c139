using System.Diagnostics;
using Sensing.Simulators.Load;

namespace Sensing.Simulators.Publishing;

/// <summary>What a publishing run has done: read by progress output.</summary>
public sealed class PublishCounters
{
    private long _connected;
    private long _peakConnected;
    private long _sent;
    private long _acked;
    private long _errors;
    private long _duplicates;
    private long _simulatedTimeMs;
    private long _commands;
    private long _ignoredCommands;
    private long _repeatedCommands;
    private long _reconnects;
    private long _drops;
    private long _offline;
    private long _unacked;
    private long _refused;

    /// <summary>Devices in the fleet.</summary>
    public int Devices { get; init; }

    /// <summary>Devices connected now.</summary>
    public long Connected => Interlocked.Read(ref _connected);

    /// <summary>Most devices connected at once.</summary>
    public long PeakConnected => Interlocked.Read(ref _peakConnected);

    /// <summary>Readings published.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Readings the gateway acknowledged (QoS 1 PUBACK).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>Connection failures, refusals and lost connections.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Readings delivered a second time on purpose (duplicates and out-of-order deliveries are counted in <see cref="Sent"/> too).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Simulation clock of the run, Unix ms.</summary>
    public long SimulatedTimeMs => Interlocked.Read(ref _simulatedTimeMs);

    /// <summary>Downlink commands the devices acted on (a gas meter closing its valve).</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Downlink messages the devices did not understand or could not act on.</summary>
    public long IgnoredCommands => Interlocked.Read(ref _ignoredCommands);

    /// <summary>Downlink commands received again (a QoS 1 redelivery of an id the device had): not acted on twice.</summary>
    public long RepeatedCommands => Interlocked.Read(ref _repeatedCommands);

    /// <summary>Persistent sessions (devices and concentrators) whose connection dropped during the run.</summary>
    public long Drops => Interlocked.Read(ref _drops);

    /// <summary>Persistent sessions (devices and concentrators) connected again after their connection dropped.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Readings that fell due while their device's persistent session was down: counted in <see cref="Sent"/>, never on the wire.</summary>
    public long Offline => Interlocked.Read(ref _offline);

    /// <summary>Readings sent whose connection dropped before their PUBACK came (they may or may not be in Kafka).</summary>
    public long Unacked => Interlocked.Read(ref _unacked);

    /// <summary>Connections the server refused with a CONNACK code (the device's credentials or id): counted in <see cref="Errors"/> too.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Time from handing a QoS 1 PUBLISH to the connection to its PUBACK, microseconds: one value per reading (per
    /// batch for a concentrator), so the devices' view of the gateways' speed is measured where it is felt.
    /// </summary>
    public LatencyHistogram AckLatency { get; } = new();

    /// <summary>Every counter, read now.</summary>
    public PublishSnapshot Snapshot() => new(Devices, Connected, PeakConnected, Sent, Acked, Errors, Duplicates, SimulatedTimeMs)
    {
        Drops = Drops, Reconnects = Reconnects, Offline = Offline, Unacked = Unacked, Refused = Refused,
    };

    internal void AddDrop() => Interlocked.Increment(ref _drops);

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddOffline(int readings = 1) => Interlocked.Add(ref _offline, readings);

    internal void AddUnacked(int readings = 1) => Interlocked.Add(ref _unacked, readings);

    internal void AddRefused() => Interlocked.Increment(ref _refused);

    /// <summary>Records a PUBACK that came <paramref name="sentAt"/> (a <see cref="Stopwatch"/> timestamp) after its PUBLISH.</summary>
    internal void AddAckLatency(long sentAt) => AckLatency.Record((long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds);

    internal void AddDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void SetSimulatedTime(long unixMs) => Interlocked.Exchange(ref _simulatedTimeMs, unixMs);

    internal void AddConnected()
    {
        var now = Interlocked.Increment(ref _connected);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakConnected)) && Interlocked.CompareExchange(ref _peakConnected, now, peak) != peak)
        {
        }
    }

    internal void AddDisconnected() => Interlocked.Decrement(ref _connected);

    internal void AddSent() => Interlocked.Increment(ref _sent);

    internal void AddAcked() => Interlocked.Increment(ref _acked);

    internal void AddError() => Interlocked.Increment(ref _errors);

    internal void AddAcked(int readings) => Interlocked.Add(ref _acked, readings);

    internal void AddErrors(int readings) => Interlocked.Add(ref _errors, readings);

    internal void AddCommand() => Interlocked.Increment(ref _commands);

    internal void AddIgnoredCommand() => Interlocked.Increment(ref _ignoredCommands);

    internal void AddRepeatedCommand() => Interlocked.Increment(ref _repeatedCommands);
}
