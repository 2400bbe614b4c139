using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;

namespace Sensing.Gateway;

/// <summary>
/// Limits that keep one device or one address from taking more than its share: connections per source address
/// (refused at CONNECT) and the message rate of a connection (enforced by not reading its socket, so TCP holds the
/// device back). Throttling is counted in the <c>sensing.gateway.throttled</c> instrument of the
/// <c>Sensing.Gateway</c> meter and logged at most once per device per <see cref="LogPeriod"/>.
/// </summary>
public sealed class DeviceLimits : IDisposable
{
    /// <summary>The meter the gateway's instruments belong to.</summary>
    public const string MeterName = "Sensing.Gateway";

    /// <summary>How often a throttled device is logged, at most.</summary>
    public static readonly TimeSpan LogPeriod = TimeSpan.FromMinutes(1);

    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _gate = new();
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _throttledInstrument;
    private readonly ILogger<DeviceLimits> _log;
    private long _throttled;
    private long _refusedAddresses;

    /// <summary>Creates the limits from the gateway's options.</summary>
    public DeviceLimits(GatewayOptions options, ILogger<DeviceLimits> log)
    {
        Options = options;
        _log = log;
        _throttledInstrument = _meter.CreateCounter<long>("sensing.gateway.throttled", "{wait}",
            "Times a device's socket was left unread to hold it to the gateway's message rate");
    }

    internal GatewayOptions Options { get; }

    /// <summary>Times a connection was held back for exceeding the message rate.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Connections refused because their source address had too many.</summary>
    public long RefusedForAddress => Interlocked.Read(ref _refusedAddresses);

    /// <summary>Counts a new connection from <paramref name="address"/>; false when the address is at its limit.</summary>
    public bool TryOpen(IPAddress? address)
    {
        if (Options.MaxConnectionsPerAddress == 0 || address is null)
        {
            return true;
        }

        lock (_gate)
        {
            _perAddress.TryGetValue(address, out var open);
            if (open >= Options.MaxConnectionsPerAddress)
            {
                Interlocked.Increment(ref _refusedAddresses);
                return false;
            }

            _perAddress[address] = open + 1;
            return true;
        }
    }

    /// <summary>Releases a connection counted by <see cref="TryOpen"/>.</summary>
    public void Close(IPAddress? address)
    {
        if (Options.MaxConnectionsPerAddress == 0 || address is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_perAddress.TryGetValue(address, out var open))
            {
                if (open <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = open - 1;
                }
            }
        }
    }

    /// <summary>Counts one hold-back of <paramref name="deviceId"/>; logs when its last log is older than the period.</summary>
    internal void CountThrottled(string deviceId, ref long lastLoggedTimestamp)
    {
        Interlocked.Increment(ref _throttled);
        _throttledInstrument.Add(1);
        var now = Stopwatch.GetTimestamp();
        if (lastLoggedTimestamp == 0 || Stopwatch.GetElapsedTime(lastLoggedTimestamp, now) >= LogPeriod)
        {
            lastLoggedTimestamp = now;
            _log.LogWarning("device {Device} exceeds {Rate} msg/s: its connection is read no faster than that", deviceId, Options.MaxMessagesPerSecond);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// A token bucket holding one connection to a message rate: one token per PUBLISH, refilled at the rate, holding at
/// most one second's worth (a device may burst that much after a quiet second).
/// </summary>
internal struct MessageRate(int perSecond)
{
    private double _tokens = perSecond;
    private long _refilledAt = Stopwatch.GetTimestamp();

    /// <summary>Takes a token; otherwise returns how long until one is there.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (perSecond == 0)
        {
            return true;
        }

        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(perSecond, _tokens + (Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }

        wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
        return false;
    }

    /// <summary>Gives back a token taken for a packet that was then left unread.</summary>
    public void Refund()
    {
        if (perSecond != 0)
        {
            _tokens = Math.Min(perSecond, _tokens + 1);
        }
    }
}
