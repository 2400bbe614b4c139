using System.Globalization;
using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary><c>GET /api/alerts</c> (filters, paging), <c>GET /api/alerts/{id}</c> (history), <c>GET /api/me</c>.</summary>
internal static class AlertQueryEndpoints
{
    public static void MapAlertQueries(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/alerts", List)
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("listAlerts")
            .WithSummary("Alerts matching the filters, one page, in the order asked for")
            .WithDescription("Filters: state (all, active, open = active and not shelved, cleared, acknowledged, unacknowledged, shelved), " +
                "condition, kind, district, severity (minimum), since/until (raise time, Unix ms or ISO 8601), text (in the id, source, district, " +
                "condition or message, case-insensitive). Order: sort=raised (newest raise first, the default) or sort=severity (active first, " +
                "then the highest severity, then the newest raise). Paging: offset, limit (1-10000, default 500); " +
                "the X-Total-Count header holds the number of matching alerts and a Link header with rel=\"next\" points to the next page. " +
                "response=true adds each alert's response text (always in GET /api/alerts/{id}).")
            .Produces<IReadOnlyList<AlertSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/alerts/{id}", Detail)
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("getAlert")
            .WithSummary("One alert with its full history: every lifecycle step and operator action, and its response text")
            .Produces<AlertDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/me", (HttpContext context) => TypedResults.Ok(new FeedCaller(context.Caller().Name, ApiKeyRing.RoleName(context.Caller().Role))))
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("whoAmI")
            .WithSummary("The name and role of the caller's API key")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/health", (AlertBoard board) => TypedResults.Ok(new FeedHealth(board.Rebuilt ? "ok" : "rebuilding", board.Applied, board.Stream.Head)))
            .WithName("health")
            .WithSummary("Liveness, whether the view is rebuilt from sensing.alerts, and events applied (no key needed)");
    }

    private static IResult List(HttpContext context, AlertBoard board, AlertResponseBook responses)
    {
        AlertFilter filter;
        bool withResponse;
        try
        {
            filter = AlertFilter.Parse(context.Request.Query);
            withResponse = context.Request.Query["response"].ToString() switch
            {
                "" or "false" => false,
                "true" => true,
                var other => throw new FeedRequestException("response", $"'{other}' is not true or false"),
            };
        }
        catch (FeedRequestException e)
        {
            return FeedProblems.BadRequest(e);
        }

        var page = board.Query(filter);
        context.Response.Headers["X-Total-Count"] = page.Total.ToString(CultureInfo.InvariantCulture);
        if (filter.Offset + page.Items.Count < page.Total)
        {
            var query = QueryString.Create(context.Request.Query
                .Where(q => q.Key != "offset")
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("offset", (filter.Offset + page.Items.Count).ToString(CultureInfo.InvariantCulture))));
            context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}{query}>; rel=\"next\"";
        }

        // Each text is a few hundred characters: a page of thousands carries them only when asked.
        return TypedResults.Ok(withResponse ? [.. page.Items.Select(responses.Annotate)] : page.Items);
    }

    private static IResult Detail(AlertBoard board, AlertResponseBook responses, string id) =>
        board.Find(id) is { } detail
            ? TypedResults.Ok(detail with { Alert = responses.Annotate(detail.Alert) })
            : FeedProblems.NotFound($"no alert '{id}'");
}

/// <summary>Body of <c>GET /health</c>.</summary>
/// <param name="Status">"ok" once the view is rebuilt from the topic, "rebuilding" before.</param>
/// <param name="AlertEventsApplied">Events applied (duplicates excluded).</param>
/// <param name="StreamHead">Sequence number of the latest live-stream entry.</param>
public sealed record FeedHealth(string Status, long AlertEventsApplied, long StreamHead);

/// <summary>Body of <c>GET /api/me</c>.</summary>
/// <param name="Name">The key's name (written as the actor of actions).</param>
/// <param name="Role">"viewer" or "operator".</param>
public sealed record FeedCaller(string Name, string Role);
