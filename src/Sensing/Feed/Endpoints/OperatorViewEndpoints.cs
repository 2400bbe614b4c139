using Sensing.Core.Alerts;
using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// What the console shows beside the alert list: <c>GET /api/city</c> (time zone, conditions), <c>GET /api/districts</c>
/// (active alerts per district), <c>GET /api/map</c> (the districts on a city map), <c>GET /api/metrics/alarm-load</c> (ISA-18.2 alarm load), and the group action
/// <c>POST /api/districts/{district}/outage/ack</c>.
/// </summary>
internal static class OperatorViewEndpoints
{
    public static void MapOperatorViews(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/city", (FeedOptions options, TimeProvider clock) => TypedResults.Ok(CityView.Of(options.TimeZone, clock.GetUtcNow())))
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("getCity")
            .WithSummary("The city's time zone (IANA name and current UTC offset) and every alert condition name")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/districts", (AlertBoard board) => TypedResults.Ok(board.Districts()))
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("listDistricts")
            .WithSummary("Every district with an alert: active alerts by severity, unacknowledged, shelved, and its outage alerts")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/map", (AlertBoard board, FeedRegistry registry) =>
                TypedResults.Ok(CityMap.Build(registry.Places, board.Districts(), board.ActiveDeviceAlerts(), registry.Find)))
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("cityMap")
            .WithSummary("The city map: every district placed from its devices' registry coordinates (or on a grid by name without any), " +
                "in km east and south of the north-west corner, with its worst active severity, and the located devices with an active alert")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/metrics/alarm-load", (AlertBoard board) => TypedResults.Ok(board.MeasureAlarmLoad()))
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("alarmLoad")
            .WithSummary("The operator's alarm load (ISA-18.2): raises per 10 minutes now and over 24 h against the 1-per-10-minutes target, " +
                "standing alarms older than 24 h, chattering (3 or more raises within 60 s) and the 10 most frequent alarms, shelved count")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapPost("/api/districts/{district}/outage/ack", AcknowledgeOutageAsync)
            .RequireFeedRole(FeedRole.Operator)
            .WithName("acknowledgeOutage")
            .WithSummary("Acknowledge every alert of a district outage: its device.offline district alerts and their member devices' offline alerts")
            .WithDescription("body: {\"note\": \"...\"} (optional). Each alert is acknowledged and audited as POST /api/alerts/{id}/ack does: " +
                "one Acknowledged event per alert on sensing.alerts naming the API key, the time and the note. 404 when the district has no outage alert.")
            .Accepts<ActionRequest>(true, "application/json")
            .Produces<OutageAcknowledgement>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> AcknowledgeOutageAsync(HttpContext context, AlertActions actions, string district)
    {
        try
        {
            var body = await ActionBody.ReadAsync(context.Request, context.RequestAborted);
            return await actions.AcknowledgeOutageAsync(district, context.Caller(), body.Note, context.RequestAborted) is { } done
                ? TypedResults.Ok(done)
                : FeedProblems.NotFound($"district '{district}' has no outage alert");
        }
        catch (FeedRequestException e)
        {
            return FeedProblems.BadRequest(e);
        }
        catch (AlertPublishException e)
        {
            return FeedProblems.Unavailable(e.Message);
        }
    }
}

/// <summary>Body of <c>GET /api/city</c>.</summary>
/// <param name="TimeZone">The city's zone, an IANA name (e.g. Asia/Shanghai, UTC).</param>
/// <param name="UtcOffsetMinutes">The zone's offset from UTC now, minutes.</param>
/// <param name="Conditions">Every alert condition name.</param>
public sealed record CityView(string TimeZone, int UtcOffsetMinutes, IReadOnlyList<string> Conditions)
{
    private static readonly string[] AllConditions = [.. AlertConditions.All.Select(c => c.Name())];

    internal static CityView Of(TimeZoneInfo zone, DateTimeOffset now)
    {
        var name = zone.HasIanaId || !TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? zone.Id : iana;
        return new CityView(name, (int)zone.GetUtcOffset(now).TotalMinutes, AllConditions);
    }
}
