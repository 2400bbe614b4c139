using Sensing.Core.Telemetry;
using Sensing.Simulators.Leaks;
using Sensing.Simulators.Replay;

namespace Sensing.Benchmarks.Leaks;

/// <summary>
/// Reference detector, not production: the LeakDB minimum-night-flow rule (Vrachimis et al., "LeakDB: a benchmark
/// dataset for leakage diagnosis in water distribution networks", WDSA/CCWI 2018): a day is flagged when
/// MNF(today) - min(MNF of the last 10 unflagged days) &gt; gamma x that minimum, gamma 10 %; flagged days stay out of
/// the baseline. Re-armed after each alarm: the alarm is raised on the first flagged day, the baseline is then
/// learned again from the next 10 days, so a further rise raises again. MNF is the lowest reading between 02:00 and
/// 04:00 local time; the day is judged at 04:00.
/// </summary>
public static class MnfBaseline
{
    /// <summary>Alarms over <paramref name="readings"/> (inlet flow meters only).</summary>
    public static List<LeakAlarm> Run(IEnumerable<RecordedReading> readings, TimeZoneInfo zone, double gamma = 0.1, int baselineDays = 10)
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
            var day = local / 86_400_000;
            var hour = local % 86_400_000 / 3_600_000.0;
            if (day != s.Day)
            {
                s.Day = day;
                s.Min = double.PositiveInfinity;
                s.Judged = false;
            }

            if (hour >= 2 && hour < 4)
            {
                s.Min = Math.Min(s.Min, r.Metrics[0].Value);
            }
            else if (hour >= 4 && !s.Judged)
            {
                s.Judged = true;
                if (double.IsPositiveInfinity(s.Min))
                {
                    continue;
                }

                if (s.Baseline.Count < baselineDays)
                {
                    s.Baseline.Add(s.Min);
                    continue;
                }

                var b = s.Baseline.Min();
                if (s.Min - b > gamma * b)
                {
                    alarms.Add(new LeakAlarm(r.Device.District, r.TimeMs, "leakdb.mnf"));
                    s.Baseline.Clear();
                }
                else
                {
                    s.Baseline.RemoveAt(0);
                    s.Baseline.Add(s.Min);
                }
            }
        }

        return alarms;
    }

    private sealed class State
    {
        public long Day = long.MinValue;
        public double Min = double.PositiveInfinity;
        public bool Judged;
        public List<double> Baseline { get; } = [];
    }
}
