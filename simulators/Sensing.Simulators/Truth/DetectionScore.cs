using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Truth;

/// <summary>How one incident or trap of the truth file fared.</summary>
/// <param name="Entry">The truth line.</param>
/// <param name="Detection">For an incident, the first alert of the expected condition on its source raised inside its window; null when missed or for a trap.</param>
/// <param name="AlertsOnTrap">For a trap, the alerts raised on its source inside its window (each a false positive).</param>
public sealed record IncidentOutcome(TruthEntry Entry, AlertRecord? Detection, IReadOnlyList<AlertRecord> AlertsOnTrap)
{
    /// <summary>Time from the incident's start to the alert, or null.</summary>
    public TimeSpan? TimeToDetection => Detection is null ? null : TimeSpan.FromMilliseconds(Detection.RaisedAtMs - Entry.StartMs);
}

/// <summary>Per incident kind: how many, detected, missed, median time to detection.</summary>
/// <param name="Kind">Incident kind.</param>
/// <param name="ExpectedCondition">The condition it must raise.</param>
/// <param name="Count">Incidents of this kind.</param>
/// <param name="Detected">Detected with the expected condition inside the window.</param>
/// <param name="MedianTimeToDetection">Median over the detected ones; null when none was.</param>
public sealed record KindScore(string Kind, string ExpectedCondition, int Count, int Detected, TimeSpan? MedianTimeToDetection)
{
    /// <summary>Incidents of this kind not detected.</summary>
    public int Missed => Count - Detected;
}

/// <summary>
/// Scores alerts against ground truth (DOMAIN.md, measuring detection quality; BattLeDIM-style): an incident is
/// detected when an alert of its expected condition on its source is raised inside its window [start, end]; every
/// alert that detects no incident is a false positive, whether it sits on a trap or anywhere else.
/// </summary>
public sealed class DetectionScore
{
    private DetectionScore(IReadOnlyList<IncidentOutcome> outcomes, IReadOnlyList<AlertRecord> falsePositives, IReadOnlyList<KindScore> kinds)
    {
        Outcomes = outcomes;
        FalsePositives = falsePositives;
        Kinds = kinds;
    }

    /// <summary>Every truth line with its outcome.</summary>
    public IReadOnlyList<IncidentOutcome> Outcomes { get; }

    /// <summary>Alerts that detect no incident.</summary>
    public IReadOnlyList<AlertRecord> FalsePositives { get; }

    /// <summary>Alerts on traps (a subset of <see cref="FalsePositives"/>).</summary>
    public IEnumerable<AlertRecord> FalsePositivesOnTraps => Outcomes.SelectMany(o => o.AlertsOnTrap).Distinct();

    /// <summary>Per incident kind (traps excluded).</summary>
    public IReadOnlyList<KindScore> Kinds { get; }

    /// <summary>Incidents detected.</summary>
    public int TruePositives => Outcomes.Count(o => o.Detection is not null);

    /// <summary>Incidents not detected.</summary>
    public int Missed => Outcomes.Count(o => !o.Entry.IsTrap && o.Detection is null);

    /// <summary>Scores <paramref name="alerts"/> against <paramref name="truth"/>.</summary>
    public static DetectionScore Compute(IReadOnlyList<TruthEntry> truth, IReadOnlyList<AlertRecord> alerts)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(alerts);
        var used = new HashSet<AlertRecord>(ReferenceEqualityComparer.Instance);
        var outcomes = new List<IncidentOutcome>(truth.Count);
        foreach (var entry in truth)
        {
            bool Inside(AlertRecord a) => a.Source == entry.Source && a.RaisedAtMs >= entry.StartMs && a.RaisedAtMs <= entry.EndMs;
            if (entry.IsTrap)
            {
                outcomes.Add(new IncidentOutcome(entry, null, [.. alerts.Where(Inside)]));
                continue;
            }

            var detection = alerts.Where(a => Inside(a) && a.Condition == entry.ExpectedCondition).MinBy(a => a.RaisedAtMs);
            if (detection is not null)
            {
                used.Add(detection);
            }

            outcomes.Add(new IncidentOutcome(entry, detection, []));
        }

        var kinds = outcomes.Where(o => !o.Entry.IsTrap).GroupBy(o => (o.Entry.Kind, o.Entry.ExpectedCondition))
            .Select(g => new KindScore(g.Key.Kind, g.Key.ExpectedCondition, g.Count(), g.Count(o => o.Detection is not null), Median(g)))
            .OrderBy(k => k.Kind, StringComparer.Ordinal).ToList();
        return new DetectionScore(outcomes, [.. alerts.Where(a => !used.Contains(a))], kinds);
    }

    /// <summary>A plain-text report: one line per kind, then traps and false positives.</summary>
    public IEnumerable<string> Report()
    {
        yield return $"incidents {Outcomes.Count(o => !o.Entry.IsTrap)}: detected {TruePositives}, missed {Missed}; false positives {FalsePositives.Count} ({FalsePositivesOnTraps.Count()} on traps)";
        foreach (var k in Kinds)
        {
            var ttd = k.MedianTimeToDetection is { } t ? $"median time to detection {Describe(t)}" : "never detected";
            yield return $"  {k.Kind,-26} {k.ExpectedCondition,-24} {k.Detected}/{k.Count} detected, {ttd}";
        }

        foreach (var o in Outcomes.Where(o => o.Entry.IsTrap))
        {
            yield return $"  trap {o.Entry.Kind,-21} {o.Entry.Source,-12} {(o.AlertsOnTrap.Count == 0 ? "no alert (correct)" : "ALERTS: " + string.Join(", ", o.AlertsOnTrap.Select(a => a.Condition)))}";
        }

        foreach (var a in FalsePositives)
        {
            yield return $"  false positive: {a.Condition} on {a.Source} at {CsvTime.Format(a.RaisedAtMs)}";
        }
    }

    /// <summary>A duration as "42 s", "7.5 min" or "3.2 h".</summary>
    public static string Describe(TimeSpan t) =>
        t.TotalSeconds < 120 ? $"{t.TotalSeconds:0} s" : t.TotalMinutes < 120 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalHours:0.#} h";

    private static TimeSpan? Median(IEnumerable<IncidentOutcome> outcomes)
    {
        var times = outcomes.Where(o => o.TimeToDetection is not null).Select(o => o.TimeToDetection!.Value).Order().ToArray();
        return times.Length == 0 ? null : times.Length % 2 == 1 ? times[times.Length / 2] : (times[(times.Length / 2) - 1] + times[times.Length / 2]) / 2;
    }
}
