namespace Sensing.Simulators.Fleet;

/// <summary>What a running fleet has done: read by progress output.</summary>
public sealed class FleetCounters
{
    private long _connected;
    private long _peakConnected;
    private long _sent;
    private long _acked;
    private long _errors;

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
}
