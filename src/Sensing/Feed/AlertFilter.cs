using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>Query filters of <c>GET /api/alerts</c>; null means "any".</summary>
public sealed record AlertFilter
{
    /// <summary>"active", "cleared" or null for both.</summary>
    public string? State { get; init; }

    /// <summary>Condition name, e.g. <c>gas.methane-high</c>.</summary>
    public string? Condition { get; init; }

    /// <summary>District name.</summary>
    public string? District { get; init; }

    /// <summary>Minimum severity.</summary>
    public AlertSeverity? MinSeverity { get; init; }

    /// <summary>Only alerts raised at or after this Unix ms.</summary>
    public long? SinceMs { get; init; }

    /// <summary>Most alerts returned.</summary>
    public int Limit { get; init; } = 500;

    /// <summary>Parses query-string values; throws <see cref="ArgumentException"/> naming the bad parameter.</summary>
    public static AlertFilter Parse(string? state, string? condition, string? district, string? severity, long? since, int? limit)
    {
        if (state is not (null or "active" or "cleared" or "all"))
        {
            throw new ArgumentException($"state: '{state}' is not one of active, cleared, all");
        }

        AlertSeverity? minSeverity = null;
        if (severity is not null)
        {
            if (!Enum.TryParse<AlertSeverity>(severity, ignoreCase: true, out var s) || !Enum.IsDefined(s))
            {
                throw new ArgumentException($"severity: '{severity}' is not one of {string.Join(", ", Enum.GetNames<AlertSeverity>())}");
            }

            minSeverity = s;
        }

        if (limit is < 1 or > 10_000)
        {
            throw new ArgumentException("limit: must be 1-10000");
        }

        return new AlertFilter
        {
            State = state == "all" ? null : state,
            Condition = condition,
            District = district,
            MinSeverity = minSeverity,
            SinceMs = since,
            Limit = limit ?? 500,
        };
    }

    internal bool Matches(AlertEvent a) =>
        (State is null || (State == "cleared") == (a.Type == AlertEventType.Cleared))
        && (Condition is null || a.Condition == Condition)
        && (District is null || a.District == District)
        && (MinSeverity is null || a.Severity >= MinSeverity)
        && (SinceMs is null || a.RaisedAtMs >= SinceMs);
}
