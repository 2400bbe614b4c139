namespace Sensing.Gateway;

/// <summary>
/// The read deadlines of every open connection (the connect timeout, then 1.5 x the keep-alive, MQTT-3.1.2-24),
/// checked by one timer for the whole gateway instead of a timer and a cancellation source per connection (about 250
/// bytes each, bench/README.md, "A lighter connection"). A connection past its deadline is expired, which cancels its
/// pending read; so a silent device is closed between its deadline and one <see cref="Period"/> after it.
/// </summary>
public sealed class KeepAliveClock : IDisposable
{
    /// <summary>How often the deadlines are checked.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly List<MqttConnection> _expired = [];
    private readonly ITimer _timer;
    private MqttConnection?[] _connections = new MqttConnection?[256];
    private int _count;

    /// <summary>Starts the clock on <paramref name="time"/> (default: the system's).</summary>
    public KeepAliveClock(TimeProvider? time = null) =>
        _timer = (time ?? TimeProvider.System).CreateTimer(static clock => ((KeepAliveClock)clock!).Check(), this, Period, Period);

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    internal void Add(MqttConnection connection)
    {
        lock (_gate)
        {
            if (_count == _connections.Length)
            {
                Array.Resize(ref _connections, _count * 2);
            }

            connection.ClockSlot = _count;
            _connections[_count++] = connection;
        }
    }

    internal void Remove(MqttConnection connection)
    {
        lock (_gate)
        {
            var slot = connection.ClockSlot;
            if (slot < 0)
            {
                return;
            }

            // The last one moves into the freed slot.
            var last = _connections[--_count]!;
            _connections[slot] = last;
            last.ClockSlot = slot;
            _connections[_count] = null;
            connection.ClockSlot = -1;
        }
    }

    private void Check()
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var connection = _connections[i]!;
                if (now >= connection.DeadlineMs)
                {
                    _expired.Add(connection);
                }
            }
        }

        // Outside the lock: a cancelled read may run its continuation here, and that removes its connection.
        foreach (var connection in _expired)
        {
            connection.Expire();
        }

        _expired.Clear();
    }
}
