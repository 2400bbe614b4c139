namespace Sensing.Simulators.Leaks;

/// <summary>An alert as leak scoring sees it: where and when it was raised.</summary>
/// <param name="District">The district it is on.</param>
/// <param name="RaisedAtMs">When it was raised, Unix ms.</param>
/// <param name="Condition">What it says.</param>
public readonly record struct LeakAlarm(string District, long RaisedAtMs, string Condition);

/// <summary>
/// Scores alarms against injected leaks the way issue 14 scores the held-out data: a leak is detected when an alarm
/// on its district is raised between its start and <see cref="LeakScenarioOptions.Grace"/> after it reached full
/// size; an alarm inside no leak's window on its district is a false alarm. Precision is detected / (detected +
/// false), recall detected / leaks.
/// </summary>
public sealed class LeakScore
{
    /// <summary>Leaks detected (with the time to detection from the leak's start), per leak.</summary>
    public List<(LeakTruth Leak, TimeSpan? TimeToDetection)> Outcomes { get; } = [];

    /// <summary>Alarms inside no leak's window.</summary>
    public List<LeakAlarm> FalseAlarms { get; } = [];

    /// <summary>Every alarm scored.</summary>
    public int Alarms { get; private set; }

    /// <summary>Scores <paramref name="alarms"/> against <paramref name="leaks"/>.</summary>
    public static LeakScore Compute(IReadOnlyList<LeakTruth> leaks, IEnumerable<LeakAlarm> alarms, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(leaks);
        ArgumentNullException.ThrowIfNull(alarms);
        var score = new LeakScore();
        var graceMs = (long)grace.TotalMilliseconds;
        var list = alarms.OrderBy(a => a.RaisedAtMs).ToList();
        score.Alarms = list.Count;
        foreach (var leak in leaks)
        {
            var first = list.FirstOrDefault(a => a.District == leak.District && a.RaisedAtMs >= leak.StartMs && a.RaisedAtMs <= leak.FullMs + graceMs);
            score.Outcomes.Add((leak, first.District is null ? null : TimeSpan.FromMilliseconds(first.RaisedAtMs - leak.StartMs)));
        }

        score.FalseAlarms.AddRange(list.Where(a => !leaks.Any(l => l.District == a.District && a.RaisedAtMs >= l.StartMs && a.RaisedAtMs <= l.FullMs + graceMs)));
        return score;
    }

    /// <summary>Leaks detected.</summary>
    public int Detected => Outcomes.Count(o => o.TimeToDetection is not null);

    /// <summary>Leaks missed.</summary>
    public int Missed => Outcomes.Count - Detected;
}
