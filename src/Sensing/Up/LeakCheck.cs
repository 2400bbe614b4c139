namespace Sensing.Up;

/// <summary>Where the injected leak's alert was found at the end of a run.</summary>
/// <param name="Device">The device the leak was injected on.</param>
/// <param name="AlertId">The alert's id (from the feed), or empty when the feed never showed it.</param>
/// <param name="Severity">Highest severity reached.</param>
/// <param name="InKafka">Found on sensing.alerts.</param>
/// <param name="InStore">Found in the store by a PromQL query.</param>
/// <param name="InFeed">Returned by the feed's GET /api/alerts.</param>
/// <param name="Cleared">The alert has also cleared.</param>
public sealed record LeakCheck(string Device, string AlertId, string Severity, bool InKafka, bool InStore, bool InFeed, bool Cleared)
{
    /// <summary>True when the alert is everywhere it must be.</summary>
    public bool Passed => InKafka && InStore && InFeed;
}
