using Sensing.Feed.Auth;
using Sensing.Rules;

namespace Sensing.Feed;

/// <summary>Settings of the alert feed.</summary>
public sealed record FeedOptions
{
    /// <summary>Defaults: HTTP on 127.0.0.1:8080, no keys (set <see cref="ApiKeys"/>).</summary>
    public static FeedOptions Default { get; } = new();

    /// <summary>The keys the feed accepts (<c>--api-keys</c>); the feed does not start without one.</summary>
    public ApiKeyRing ApiKeys { get; init; } = ApiKeyRing.Empty;

    /// <summary>Stream entries kept for clients resuming with Last-Event-ID; older ids get a reset event.</summary>
    public int ReplayCapacity { get; init; } = 4096;

    /// <summary>Entries one stream client may be behind before it is cut off (and resumes from the replay buffer).</summary>
    public int SubscriberQueue { get; init; } = 1024;

    /// <summary>Shortest shelve.</summary>
    public TimeSpan MinShelve { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest shelve (ISA-18.2: shelving is timed, never open-ended).</summary>
    public TimeSpan MaxShelve { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often the feed looks for shelves whose time is up.</summary>
    public TimeSpan ShelveCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often an idle stream sends a comment line, so proxies and clients see it alive.</summary>
    public TimeSpan StreamKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an operator action waits for Kafka to acknowledge its event before answering 503.</summary>
    public TimeSpan ActionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Address to listen on, e.g. http://127.0.0.1:8080 (port 0 picks a free one).</summary>
    public string Url { get; init; } = "http://127.0.0.1:8080";

    /// <summary>Base URL of the time-series store the analyst export (<c>GET /api/export</c>) reads.</summary>
    public string StoreUrl { get; init; } = "http://127.0.0.1:8428";

    /// <summary>
    /// The rules file (<c>--rules</c>) whose <c>responses</c> section gives the response texts, per district; null for
    /// the built-in texts.
    /// </summary>
    public RuleSet? Rules { get; init; }

    /// <summary>How often the rules file is read again for changed response texts (with <see cref="Rules"/>).</summary>
    public TimeSpan RulesPollInterval { get; init; } = RulesWatcher.DefaultInterval;

    /// <summary>
    /// The city's time zone: the console shows every date and time in it, with its name. Default UTC, shown as such;
    /// <c>sensing feed</c> takes it from <c>--time-zone</c> or the rules file's <c>timeZone</c>.
    /// </summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public FeedOptions Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"feed.url: '{Url}' is not an http(s) URL");
        }

        if (ApiKeys.Count == 0)
        {
            throw new ArgumentException("feed.apiKeys: no API keys; give a keys file of name,role,sha256 lines (--api-keys)");
        }

        if (ReplayCapacity is < 1 or > 1_000_000)
        {
            throw new ArgumentException("feed.replayCapacity: must be 1-1000000");
        }

        if (SubscriberQueue is < 1 or > 1_000_000)
        {
            throw new ArgumentException("feed.subscriberQueue: must be 1-1000000");
        }

        if (MinShelve <= TimeSpan.Zero || MaxShelve < MinShelve)
        {
            throw new ArgumentException("feed.minShelve/maxShelve: need 0 < minShelve <= maxShelve");
        }

        if (ShelveCheckInterval <= TimeSpan.Zero || StreamKeepAlive <= TimeSpan.Zero || ActionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("feed.shelveCheckInterval/streamKeepAlive/actionTimeout: must be positive");
        }

        if (RulesPollInterval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException("feed.rulesPollInterval: must be at least 10 ms");
        }

        ArgumentNullException.ThrowIfNull(TimeZone, "feed.timeZone");
        return this;
    }
}
