using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.Feed;

/// <summary>Query filters and paging of <c>GET /api/alerts</c>; null means "any".</summary>
public sealed record AlertFilter
{
    /// <summary>Values of the <c>state</c> parameter.</summary>
    public static readonly IReadOnlyList<string> States = ["all", "active", "open", "cleared", "acknowledged", "unacknowledged", "shelved"];

    /// <summary>Values of the <c>sort</c> parameter.</summary>
    public static readonly IReadOnlyList<string> Sorts = ["raised", "severity"];

    /// <summary>Longest <c>text</c>.</summary>
    public const int MaxTextLength = 200;

    /// <summary>Largest page.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>One of <see cref="States"/>, or null for all.</summary>
    public string? State { get; init; }

    /// <summary>Condition name, e.g. <c>gas.methane-high</c>.</summary>
    public string? Condition { get; init; }

    /// <summary>Device kind name, e.g. <c>methane-detector</c>.</summary>
    public string? Kind { get; init; }

    /// <summary>District name.</summary>
    public string? District { get; init; }

    /// <summary>Minimum severity.</summary>
    public AlertSeverity? MinSeverity { get; init; }

    /// <summary>Only alerts raised at or after this Unix ms.</summary>
    public long? SinceMs { get; init; }

    /// <summary>Only alerts raised before this Unix ms.</summary>
    public long? UntilMs { get; init; }

    /// <summary>Text every alert shown holds in its id, source, district, condition or message (case-insensitive).</summary>
    public string? Text { get; init; }

    /// <summary>
    /// "raised" (newest raise first) or "severity" (the operator's order: active before cleared, then the highest
    /// severity, then the newest raise).
    /// </summary>
    public string Sort { get; init; } = "raised";

    /// <summary>Matching alerts skipped before the page.</summary>
    public int Offset { get; init; }

    /// <summary>Most alerts on the page.</summary>
    public int Limit { get; init; } = 500;

    /// <summary>Parses query-string values; throws <see cref="FeedRequestException"/> naming the bad parameter.</summary>
    public static AlertFilter Parse(IQueryCollection query)
    {
        var state = Single(query, "state");
        if (state is not null && !States.Contains(state))
        {
            throw new FeedRequestException("state", $"'{state}' is not one of {string.Join(", ", States)}");
        }

        var condition = Single(query, "condition");
        if (condition is not null && !AlertConditions.TryParse(condition, out _))
        {
            throw new FeedRequestException("condition", $"'{condition}' is not a condition (e.g. gas.methane-high)");
        }

        var kind = Single(query, "kind");
        if (kind is not null && !DeviceKinds.TryParse(kind, out _))
        {
            throw new FeedRequestException("kind", $"'{kind}' is not a device kind (e.g. methane-detector)");
        }

        AlertSeverity? minSeverity = null;
        if (Single(query, "severity") is { } severity)
        {
            if (!Enum.TryParse<AlertSeverity>(severity, ignoreCase: true, out var s) || !Enum.IsDefined(s) || char.IsDigit(severity[0]))
            {
                throw new FeedRequestException("severity", $"'{severity}' is not one of {string.Join(", ", Enum.GetNames<AlertSeverity>())}");
            }

            minSeverity = s;
        }

        var text = Single(query, "text")?.Trim();
        if (text is { Length: > MaxTextLength })
        {
            throw new FeedRequestException("text", $"longer than {MaxTextLength} characters");
        }

        var sort = Single(query, "sort") ?? "raised";
        if (!Sorts.Contains(sort))
        {
            throw new FeedRequestException("sort", $"'{sort}' is not one of {string.Join(", ", Sorts)}");
        }

        var since = Time(query, "since");
        var until = Time(query, "until");
        if (since is not null && until is not null && until <= since)
        {
            throw new FeedRequestException("until", "must be after since");
        }

        return new AlertFilter
        {
            State = state == "all" ? null : state,
            Condition = condition,
            Kind = kind,
            District = Single(query, "district"),
            MinSeverity = minSeverity,
            SinceMs = since,
            UntilMs = until,
            Text = string.IsNullOrEmpty(text) ? null : text,
            Sort = sort,
            Offset = Integer(query, "offset", 0, int.MaxValue) ?? 0,
            Limit = Integer(query, "limit", 1, MaxLimit) ?? 500,
        };
    }

    internal bool Matches(AlertSummary a) =>
        State switch
        {
            "active" => a.IsActive,
            "open" => a.IsActive && !a.Shelved,
            "cleared" => !a.IsActive,
            "acknowledged" => a.Acknowledged,
            "unacknowledged" => !a.Acknowledged,
            "shelved" => a.Shelved,
            _ => true,
        }
        && (Condition is null || a.Condition == Condition)
        && (Kind is null || a.DeviceKind == Kind)
        && (District is null || a.District == District)
        && (MinSeverity is null || a.Severity >= MinSeverity)
        && (SinceMs is null || a.RaisedAtMs >= SinceMs)
        && (UntilMs is null || a.RaisedAtMs < UntilMs)
        && (Text is null || Holds(a, Text));

    private static bool Holds(AlertSummary a, string text) =>
        a.Source.Contains(text, StringComparison.OrdinalIgnoreCase)
        || a.District.Contains(text, StringComparison.OrdinalIgnoreCase)
        || a.Condition.Contains(text, StringComparison.OrdinalIgnoreCase)
        || a.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
        || a.Id.Contains(text, StringComparison.OrdinalIgnoreCase);

    private static string? Single(IQueryCollection query, string name)
    {
        var values = query[name];
        return values.Count switch
        {
            0 => null,
            1 when !string.IsNullOrEmpty(values[0]) => values[0],
            1 => throw new FeedRequestException(name, "is empty"),
            _ => throw new FeedRequestException(name, "given more than once"),
        };
    }

    private static long? Time(IQueryCollection query, string name)
    {
        if (Single(query, name) is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUnixTimeMilliseconds()
            : throw new FeedRequestException(name, $"'{text}' is neither Unix milliseconds nor an ISO 8601 time");
    }

    private static int? Integer(IQueryCollection query, string name, int min, int max)
    {
        if (Single(query, name) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FeedRequestException(name, $"must be an integer {min}-{max}, not '{text}'");
    }
}

/// <summary>A request the feed refuses with 400; <see cref="Field"/> names the parameter or body field.</summary>
public sealed class FeedRequestException(string field, string problem) : Exception($"{field}: {problem}")
{
    /// <summary>The parameter or body field at fault.</summary>
    public string Field { get; } = field;
}
