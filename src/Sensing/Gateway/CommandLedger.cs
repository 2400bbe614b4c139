namespace Sensing.Gateway;

/// <summary>
/// Every command this gateway knows of that its device has not acknowledged yet, whichever gateway holds the device:
/// built from <c>sensing.commands</c> and <c>sensing.command-acks</c> (both read from their start when the gateway
/// starts), so a command queued on a gateway that died, or sent by it and never acknowledged, is delivered by the
/// gateway the device connects to next. Commands older than <see cref="GatewayOptions.CommandTtl"/> are forgotten; at
/// most <see cref="GatewayOptions.MaxQueuedCommandsPerDevice"/> are kept per device (the oldest goes first). Thread-safe.
/// </summary>
public sealed class CommandLedger(GatewayOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<PendingCommand>> _pending = new(StringComparer.Ordinal);

    // Acknowledged command ids with the time they were issued (when known) or acknowledged: an acknowledgement can be
    // read before its command (two topics), and a command read again must not become pending again.
    private readonly Dictionary<string, long> _acknowledged = new(StringComparer.Ordinal);
    private long _nextSweepMs;

    /// <summary>
    /// Records a command read from <c>sensing.commands</c>. False when it is known already (pending or acknowledged) or
    /// older than the time to live at <paramref name="nowMs"/>: then it must not be delivered again.
    /// </summary>
    public bool Add(string commandId, string device, long issuedAtMs, byte[] payload, long nowMs)
    {
        lock (_gate)
        {
            SweepIfDue(nowMs);
            if (issuedAtMs + (long)options.CommandTtl.TotalMilliseconds < nowMs || _acknowledged.ContainsKey(commandId))
            {
                return false;
            }

            if (!_pending.TryGetValue(device, out var list))
            {
                list = [];
                _pending[device] = list;
            }

            if (list.Exists(c => c.Id == commandId))
            {
                return false;
            }

            if (list.Count >= options.MaxQueuedCommandsPerDevice)
            {
                list.RemoveAt(0);
            }

            list.Add(new PendingCommand(commandId, issuedAtMs, payload));
            return true;
        }
    }

    /// <summary>The device acknowledged <paramref name="commandId"/> (here or on another gateway): it is no longer pending.</summary>
    public void Acknowledge(string commandId, string device, long nowMs)
    {
        lock (_gate)
        {
            SweepIfDue(nowMs);
            var issuedAtMs = nowMs;
            if (_pending.TryGetValue(device, out var list))
            {
                var index = list.FindIndex(c => c.Id == commandId);
                if (index >= 0)
                {
                    issuedAtMs = list[index].IssuedAtMs;
                    list.RemoveAt(index);
                    if (list.Count == 0)
                    {
                        _pending.Remove(device);
                    }
                }
            }

            _acknowledged[commandId] = issuedAtMs;
        }
    }

    /// <summary>The payloads of the device's pending commands, oldest first, that are still within their time to live.</summary>
    public IReadOnlyList<byte[]> PendingFor(string device, long nowMs)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(device, out var list))
            {
                return [];
            }

            var ttlMs = (long)options.CommandTtl.TotalMilliseconds;
            return [.. list.Where(c => c.IssuedAtMs + ttlMs >= nowMs).Select(c => c.Payload)];
        }
    }

    private void SweepIfDue(long nowMs)
    {
        if (nowMs < _nextSweepMs)
        {
            return;
        }

        // At most once a minute: drop what outlived the time to live, pending or acknowledged.
        _nextSweepMs = nowMs + 60_000;
        var oldest = nowMs - (long)options.CommandTtl.TotalMilliseconds;
        foreach (var (device, list) in _pending)
        {
            list.RemoveAll(c => c.IssuedAtMs < oldest);
            if (list.Count == 0)
            {
                _pending.Remove(device);
            }
        }

        foreach (var (id, atMs) in _acknowledged)
        {
            if (atMs < oldest)
            {
                _acknowledged.Remove(id);
            }
        }
    }

    private sealed record PendingCommand(string Id, long IssuedAtMs, byte[] Payload);
}
