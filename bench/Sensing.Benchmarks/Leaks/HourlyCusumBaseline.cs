using Sensing.Core.Telemetry;
using Sensing.Simulators.Leaks;
using Sensing.Simulators.Replay;

namespace Sensing.Benchmarks.Leaks;

/// <summary>
/// Reference detector, not production: a plain one-sided tabular CUSUM (Page 1954) on hourly mean inflow against a
/// time-of-week baseline, as in BattLeDIM entries. The first 2 weeks learn the 168 hourly slot means, the next 2 the
/// residuals' standard deviation as a fraction of the slot mean, pooled over the slots (the slots keep learning with
/// weight 0.1 a week); then S = max(0, S + r / sd - k), alarm at S &gt;= h (k 0.5, h 5), after which S
/// restarts at 0 and the slots keep learning (weight 0.1 per week) so a raised level becomes the new normal.
/// </summary>
public static class HourlyCusumBaseline
{
    /// <summary>Alarms over <paramref name="readings"/> (inlet flow meters only).</summary>
    public static List<LeakAlarm> Run(IEnumerable<RecordedReading> readings, TimeZoneInfo zone, double k = 0.5, double h = 5)
    {
        var alarms = new List<LeakAlarm>();
        var meters = new Dictionary<string, State>(StringComparer.Ordinal);
        foreach (var r in readings)
        {
            if (r.Metrics[0].Metric != Metric.WaterFlow)
            {
                continue;
            }

            if (!meters.TryGetValue(r.Device.District, out var s))
            {
                meters[r.Device.District] = s = new State();
            }

            var local = r.TimeMs + (long)zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs)).TotalMilliseconds;
            var hour = local / 3_600_000;
            if (hour != s.Hour)
            {
                if (s.Count > 0)
                {
                    Close(s, r, k, h, alarms);
                }

                s.Hour = hour;
                s.Sum = 0;
                s.Count = 0;
            }

            s.Sum += r.Metrics[0].Value;
            s.Count++;
        }

        return alarms;
    }

    private static void Close(State s, RecordedReading r, double k, double h, List<LeakAlarm> alarms)
    {
        var y = s.Sum / s.Count;
        var slot = (int)(s.Hour % 168);
        s.Hours++;
        if (s.Hours <= 14 * 24)
        {
            s.SlotCount[slot]++;
            s.Slot[slot] += (y - s.Slot[slot]) / s.SlotCount[slot];
            return;
        }

        var residual = y - s.Slot[slot];
        s.Slot[slot] += 0.1 * residual;
        if (s.Hours <= 28 * 24)
        {
            // Pooled over the slots as a fraction of the slot's mean (two samples per slot are too few for its own).
            var relative = residual / s.Slot[slot];
            s.RelativeVariance += relative * relative / (14 * 24);
            return;
        }

        var sd = Math.Max(1e-3, Math.Sqrt(s.RelativeVariance) * s.Slot[slot]);
        s.Cusum = Math.Max(0, s.Cusum + (residual / sd) - k);
        if (s.Cusum >= h)
        {
            alarms.Add(new LeakAlarm(r.Device.District, r.TimeMs, "cusum.hourly"));
            s.Cusum = 0;
        }
    }

    private sealed class State
    {
        public long Hour = long.MinValue;
        public double Sum;
        public int Count;
        public int Hours;
        public double Cusum;
        public double[] Slot { get; } = new double[168];
        public int[] SlotCount { get; } = new int[168];
        public double RelativeVariance;
    }
}
