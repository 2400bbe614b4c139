namespace Sensing.Feed;

/// <summary>Settings of the alert feed.</summary>
public sealed record FeedOptions
{
    /// <summary>Defaults: HTTP on 127.0.0.1:8080.</summary>
    public static FeedOptions Default { get; } = new();

    /// <summary>Address to listen on, e.g. http://127.0.0.1:8080 (port 0 picks a free one).</summary>
    public string Url { get; init; } = "http://127.0.0.1:8080";

    /// <summary>Base URL of the time-series store the analyst export (<c>GET /api/export</c>) reads.</summary>
    public string StoreUrl { get; init; } = "http://127.0.0.1:8428";

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public FeedOptions Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"feed.url: '{Url}' is not an http(s) URL");
        }

        return this;
    }
}
