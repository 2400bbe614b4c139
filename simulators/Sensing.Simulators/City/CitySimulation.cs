using Sensing.Core.Telemetry;

namespace Sensing.Simulators.City;

/// <summary>One reading produced by a <see cref="CitySimulation"/>; its metrics are in the caller's span.</summary>
/// <param name="Device">The device that measured.</param>
/// <param name="TimeMs">Simulation time of the measurement, Unix ms (when it is sent and received).</param>
/// <param name="EventTimeMs">The time the device stamps on it (its own clock).</param>
/// <param name="Sequence">The device's sequence number.</param>
/// <param name="MetricCount">Metrics written to the caller's span.</param>
public readonly record struct SimulatedReading(CityDevice Device, long TimeMs, long EventTimeMs, ulong Sequence, int MetricCount);

/// <summary>
/// Runs a <see cref="CityModel"/> through simulation time: every device reports at its interval with jitter, starting
/// at its own phase, and readings come out in time order. Deterministic: the same city and window give the same
/// readings. Not thread-safe.
/// </summary>
public sealed class CitySimulation
{
    // Noise channel of the interval jitter.
    private const int ChJitter = 99;

    private readonly CityModel _city;
    private readonly PriorityQueue<int, long> _due;
    private readonly long _endMs;

    /// <summary>
    /// Creates a run from <paramref name="startMs"/> (inclusive) to <paramref name="endMs"/> (exclusive) of the
    /// devices in <paramref name="shard"/> (default: every device).
    /// </summary>
    public CitySimulation(CityModel city, long startMs, long endMs, CityShard? shard = null)
    {
        ArgumentNullException.ThrowIfNull(city);
        if (endMs <= startMs)
        {
            throw new ArgumentException("the run must end after it starts");
        }

        _city = city;
        _endMs = endMs;
        StartMs = startMs;
        shard = (shard ?? CityShard.Whole).Validate();
        _due = new PriorityQueue<int, long>(shard.DeviceCount(city));
        foreach (var device in city.Devices)
        {
            if (shard.Contains(device))
            {
                _due.Enqueue(device.Index, startMs + device.PhaseMs);
            }
        }
    }

    /// <summary>Simulation time the run starts.</summary>
    public long StartMs { get; }

    /// <summary>Simulation time the run ends.</summary>
    public long EndMs => _endMs;

    /// <summary>Simulation time of the next reading due, or <see cref="EndMs"/> when the run is over.</summary>
    public long NextDueMs => _due.TryPeek(out _, out var at) && at < _endMs ? at : _endMs;

    /// <summary>
    /// Produces the next reading in time order into <paramref name="metrics"/> (at least <see cref="CityModel.MaxMetrics"/>
    /// long); false when the run is over. Silent devices are skipped.
    /// </summary>
    public bool TryNext(Span<MetricValue> metrics, out SimulatedReading reading)
    {
        while (_due.TryDequeue(out var index, out var at) && at < _endMs)
        {
            var device = _city.Devices[index];
            var count = _city.Measure(device, at, metrics, out var eventTime);

            // The next report is scheduled after measuring: a reading can switch a device to alarm reporting.
            var jitter = _city.Options.Jitter * ((2 * Noise.Uniform(_city.Options.Seed, index, at, ChJitter)) - 1);
            var next = at + Math.Max(1, (long)(_city.NextIntervalMs(device, at) * (1 + jitter)));

            // Devices that report on a change (smoke alarms, fire-water pressure) report at the change itself.
            var change = _city.NextEventMs(device, at);
            _due.Enqueue(index, change > at && change < next ? change : next);
            if (count > 0)
            {
                reading = new SimulatedReading(device, at, eventTime, device.Sequence, count);
                return true;
            }
        }

        reading = default;
        return false;
    }
}
