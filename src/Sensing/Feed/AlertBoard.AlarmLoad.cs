using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>
/// The operator's alarm load (ANSI/ISA-18.2 clause 16 monitoring, metrics as in ISA-TR18.2.5 and EEMUA 191), from
/// the raise times the board holds. Each alert is one raise: ids are per source, condition and raise time.
/// </summary>
public sealed partial class AlertBoard
{
    private const long TenMinutesMs = 10 * 60_000;
    private const long DayMs = 24 * 60 * 60_000;

    // ISA-TR18.2.5 chattering: an alarm raised 3 or more times within 60 s (the processor's own chattering
    // latch, alerts.chattering, uses the same default).
    private const int ChatterRaises = 3;
    private const long ChatterWindowMs = 60_000;
    private const int TopCount = 10;
    private static readonly string ChatteringCondition = AlertCondition.Chattering.Name();

    /// <summary>The alarm load at the board's clock.</summary>
    public AlarmLoad MeasureAlarmLoad()
    {
        lock (_gate)
        {
            var now = NowMs;
            // 144 ten-minute intervals ending now; interval 0 is the last 10 minutes.
            var intervals = new int[(int)(DayMs / TenMinutesMs)];
            var bySource = new Dictionary<(string Source, string Condition), List<long>>();
            int active = 0, standing = 0, shelved = 0, flagged = 0;
            foreach (var record in _alerts.Values)
            {
                if (record.Summary(now) is not { } a)
                {
                    continue;
                }

                if (a.IsActive)
                {
                    active++;
                    standing += now - a.RaisedAtMs > DayMs ? 1 : 0;
                    shelved += a.Shelved ? 1 : 0;
                }

                var age = now - a.RaisedAtMs;
                if (age < 0 || age >= DayMs)
                {
                    continue;
                }

                intervals[age / TenMinutesMs]++;
                if (a.Condition == ChatteringCondition)
                {
                    flagged++;
                    continue;
                }

                var key = (a.Source, a.Condition);
                if (!bySource.TryGetValue(key, out var raises))
                {
                    bySource[key] = raises = [];
                }

                raises.Add(a.RaisedAtMs);
            }

            var total = intervals.Sum();
            var chattering = new List<AlarmSource>();
            foreach (var ((source, condition), raises) in bySource)
            {
                if (raises.Count >= ChatterRaises && MostWithin(raises, ChatterWindowMs) >= ChatterRaises)
                {
                    chattering.Add(new AlarmSource(source, condition, raises.Count, Share(raises.Count, total)));
                }
            }

            var top = bySource.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key.Source, StringComparer.Ordinal).Take(TopCount)
                .Select(kv => new AlarmSource(kv.Key.Source, kv.Key.Condition, kv.Value.Count, Share(kv.Value.Count, total)));
            return new AlarmLoad
            {
                AtMs = now,
                Last10Minutes = intervals[0],
                Last24Hours = total,
                AveragePer10Minutes = Math.Round(total / (double)intervals.Length, 2),
                Peak10Minutes = intervals.Max(),
                FloodIntervals = intervals.Count(n => n > AlarmLoadTargets.FloodPer10Minutes),
                Active = active,
                Standing = standing,
                Shelved = shelved,
                ChatteringFlagged = flagged,
                Chattering = [.. chattering.OrderByDescending(c => c.Raises).ThenBy(c => c.Source, StringComparer.Ordinal)],
                MostFrequent = [.. top],
            };
        }
    }

    private static double Share(int count, int total) => total == 0 ? 0 : Math.Round(100.0 * count / total, 1);

    private static int MostWithin(List<long> times, long windowMs)
    {
        times.Sort();
        var most = 0;
        for (int first = 0, last = 0; last < times.Count; last++)
        {
            while (times[last] - times[first] >= windowMs)
            {
                first++;
            }

            most = Math.Max(most, last - first + 1);
        }

        return most;
    }
}

/// <summary>The alarm-rate targets the load is judged against (EEMUA 191 table 35, ANSI/ISA-18.2 table 5).</summary>
public static class AlarmLoadTargets
{
    /// <summary>"Very likely to be acceptable": about 1 alarm per 10 minutes (about 150 a day) per operator.</summary>
    public const int AcceptablePer10Minutes = 1;

    /// <summary>"Maximum manageable": 2 alarms per 10 minutes (about 300 a day).</summary>
    public const int ManageablePer10Minutes = 2;

    /// <summary>An alarm flood: more than 10 alarms in 10 minutes.</summary>
    public const int FloodPer10Minutes = 10;
}

/// <summary>Body of <c>GET /api/metrics/alarm-load</c>.</summary>
public sealed record AlarmLoad
{
    /// <summary>When the load was computed, Unix ms.</summary>
    public required long AtMs { get; init; }

    /// <summary>Target: about 1 raise per 10 minutes is acceptable.</summary>
    public int TargetPer10Minutes { get; init; } = AlarmLoadTargets.AcceptablePer10Minutes;

    /// <summary>2 raises per 10 minutes is the most an operator can manage.</summary>
    public int ManageablePer10Minutes { get; init; } = AlarmLoadTargets.ManageablePer10Minutes;

    /// <summary>More than this many raises in 10 minutes is a flood.</summary>
    public int FloodPer10Minutes { get; init; } = AlarmLoadTargets.FloodPer10Minutes;

    /// <summary>Raises in the last 10 minutes.</summary>
    public required int Last10Minutes { get; init; }

    /// <summary>Raises in the last 24 hours.</summary>
    public required int Last24Hours { get; init; }

    /// <summary>Raises per 10 minutes averaged over the last 24 hours (144 intervals).</summary>
    public required double AveragePer10Minutes { get; init; }

    /// <summary>Most raises in one of the last 24 hours' 10-minute intervals.</summary>
    public required int Peak10Minutes { get; init; }

    /// <summary>10-minute intervals of the last 24 hours in flood (more than <see cref="FloodPer10Minutes"/> raises).</summary>
    public required int FloodIntervals { get; init; }

    /// <summary>Active alerts.</summary>
    public required int Active { get; init; }

    /// <summary>Standing (stale) alarms: active for more than 24 hours.</summary>
    public required int Standing { get; init; }

    /// <summary>Active alerts under a shelve.</summary>
    public required int Shelved { get; init; }

    /// <summary><c>alerts.chattering</c> alerts the processor raised in the last 24 hours (it suppresses the raises behind them).</summary>
    public required int ChatteringFlagged { get; init; }

    /// <summary>Sources raising one condition 3 or more times within 60 s in the last 24 hours.</summary>
    public required IReadOnlyList<AlarmSource> Chattering { get; init; }

    /// <summary>The 10 source and condition pairs raised most often in the last 24 hours.</summary>
    public required IReadOnlyList<AlarmSource> MostFrequent { get; init; }
}

/// <summary>One alarm (a source and a condition) and how often it was raised in the last 24 hours.</summary>
/// <param name="Source">Device or district.</param>
/// <param name="Condition">Condition name.</param>
/// <param name="Raises">Raises in the last 24 hours.</param>
/// <param name="SharePercent">Its share of every raise in the last 24 hours, percent.</param>
public sealed record AlarmSource(string Source, string Condition, int Raises, double SharePercent);
