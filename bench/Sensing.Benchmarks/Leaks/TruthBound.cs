using Sensing.Simulators.Leaks;

namespace Sensing.Benchmarks.Leaks;

/// <summary>
/// A bound, not a detector: it reads the scenario's ground truth and raises each leak the instant its true flow first
/// reaches <c>minRiseFraction</c> of its district's mean inflow (a leak smaller than that is never raised). It sees no
/// reading, so no noise, no draw and no demand level; a detector that raises a leak only once it has grown to
/// <c>minRiseFraction</c> cannot find it sooner (one can by chance: on noise, or in a town on another leak's flow). Scored as the detectors are, it shows how much of their time to detection is the growth of the
/// leak itself (an incipient leak of 8 % growing over 30 days reaches 2.5 % after 9 days) and how much is theirs.
/// </summary>
public static class TruthBound
{
    /// <summary>One alarm per leak of at least <paramref name="minRiseFraction"/>, when it reaches that fraction.</summary>
    public static List<LeakAlarm> Run(IEnumerable<LeakTruth> leaks, double minRiseFraction)
    {
        ArgumentNullException.ThrowIfNull(leaks);
        var alarms = new List<LeakAlarm>();
        foreach (var leak in leaks)
        {
            if (leak.Fraction < minRiseFraction)
            {
                continue;
            }

            var at = leak.StartMs + (long)Math.Ceiling((leak.FullMs - leak.StartMs) * minRiseFraction / leak.Fraction);
            alarms.Add(new LeakAlarm(leak.District, at, "truth"));
        }

        return alarms;
    }
}
