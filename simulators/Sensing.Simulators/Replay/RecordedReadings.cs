using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Simulators.Replay;

/// <summary>One reading rebuilt from recorded values: a device's values at one time.</summary>
/// <param name="Device">The device's registry entry.</param>
/// <param name="TimeMs">Event time, Unix ms.</param>
/// <param name="ReceivedMs">Receive time, Unix ms.</param>
/// <param name="Metrics">The values.</param>
public sealed record RecordedReading(DeviceInfo Device, long TimeMs, long ReceivedMs, MetricValue[] Metrics);

/// <summary>Turns recorded values into readings in arrival order (event-time order unless a receive time says otherwise), as a backtest or a replay needs them.</summary>
public static class RecordedReadings
{
    /// <summary>
    /// Resolves every value through <paramref name="map"/> (an unknown sensor throws <see cref="FormatException"/>
    /// naming its line in <paramref name="origin"/>), orders them by receive time (then event time) and groups a device's values at one
    /// time into one reading (at most <see cref="TelemetryFrame.MaxMetrics"/>; more start a second reading).
    /// </summary>
    public static List<RecordedReading> Group(IEnumerable<RecordedRow> rows, SensorMap map, string origin)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(map);
        var values = new List<(long Time, long Received, DeviceInfo Device, MetricValue Value, int Order)>();
        foreach (var row in rows)
        {
            if (!map.TryResolve(row.Sensor, out var target))
            {
                throw new FormatException($"{origin}:{row.Line}: sensor '{row.Sensor}' is neither in the map nor a registered device/metric");
            }

            values.Add((row.TimeMs, row.ReceivedMs, target.Device, new MetricValue(target.Metric, row.Value), values.Count));
        }

        // Arrival order, as the processor sees readings: by receive time, which is the event time unless a recording
        // says otherwise (a device with a skewed clock); one device's values at one time stay together, in file order.
        values.Sort(static (a, b) => a.Received != b.Received ? a.Received.CompareTo(b.Received)
            : a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : !ReferenceEquals(a.Device, b.Device) ? string.CompareOrdinal(a.Device.Id, b.Device.Id) : a.Order.CompareTo(b.Order));
        var readings = new List<RecordedReading>();
        var metrics = new List<MetricValue>(TelemetryFrame.MaxMetrics);
        for (var i = 0; i < values.Count;)
        {
            var first = values[i];
            metrics.Clear();
            for (; i < values.Count && values[i].Time == first.Time && ReferenceEquals(values[i].Device, first.Device) && metrics.Count < TelemetryFrame.MaxMetrics; i++)
            {
                metrics.Add(values[i].Value);
            }

            readings.Add(new RecordedReading(first.Device, first.Time, first.Received, [.. metrics]));
        }

        return readings;
    }
}
