using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary><c>POST /api/alerts/{id}/ack</c>, <c>/shelve</c>, <c>/unshelve</c>, <c>/repaired</c>: operator actions, operator role only.</summary>
internal static class AlertActionEndpoints
{
    public static void MapAlertActions(this IEndpointRouteBuilder app)
    {
        Describe(app.MapPost("/api/alerts/{id}/ack", (HttpContext context, AlertActions actions, string id) =>
                RunAsync(context, body => actions.AcknowledgeAsync(id, context.Caller(), body.Note, context.RequestAborted))),
            "acknowledgeAlert", "Acknowledge an alert (idempotent: acknowledging again publishes nothing)", "body: {\"note\": \"...\"} (optional)",
            bodyOptional: true);

        Describe(app.MapPost("/api/alerts/{id}/shelve", (HttpContext context, AlertActions actions, string id) =>
                RunAsync(context, body => body.Duration is { } duration
                    ? actions.ShelveAsync(id, context.Caller(), duration, body.Note, context.RequestAborted)
                    : throw new FeedRequestException("duration", "required: seconds or an ISO 8601 duration such as \"PT30M\""))),
            "shelveAlert", "Shelve an active alert for a time; the feed unshelves it when the time is up",
            "body: {\"duration\": 1800 or \"PT30M\", \"note\": \"...\"}; 409 when the alert is cleared or already shelved", bodyOptional: false);

        Describe(app.MapPost("/api/alerts/{id}/unshelve", (HttpContext context, AlertActions actions, string id) =>
                RunAsync(context, body => actions.UnshelveAsync(id, context.Caller(), body.Note, context.RequestAborted))),
            "unshelveAlert", "End a shelve early", "body: {\"note\": \"...\"} (optional); 409 when the alert is not shelved", bodyOptional: true);

        Describe(app.MapPost("/api/alerts/{id}/repaired", (HttpContext context, AlertActions actions, string id) =>
                RunAsync(context, body => actions.RepairedAsync(id, context.Caller(), body.Note, context.RequestAborted))),
            "repairedAlert", "Report the leak behind a water district alert repaired; the district's detector learns its baseline again",
            "body: {\"note\": \"...\"} (required); 409 when the alert is not a water leak alert", bodyOptional: false);
    }

    private static void Describe(RouteHandlerBuilder endpoint, string name, string summary, string description, bool bodyOptional) => endpoint
        .RequireFeedRole(FeedRole.Operator)
        .WithName(name)
        .WithSummary(summary)
        .WithDescription(description + ". The action is audited (who: the API key's name, when, note) as an alert event on sensing.alerts.")
        .Accepts<ActionRequest>(bodyOptional, "application/json")
        .Produces<AlertDetail>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> RunAsync(HttpContext context, Func<ActionBody, Task<ActionResult>> act)
    {
        try
        {
            var result = await act(await ActionBody.ReadAsync(context.Request, context.RequestAborted));
            return result.Outcome switch
            {
                ActionOutcome.NotFound => FeedProblems.NotFound(result.Problem!),
                ActionOutcome.Conflict => FeedProblems.Conflict(result.Problem!),
                _ => TypedResults.Ok(result.Alert),
            };
        }
        catch (FeedRequestException e)
        {
            return FeedProblems.BadRequest(e);
        }
        catch (AlertPublishException e)
        {
            return FeedProblems.Unavailable(e.Message + "; nothing was changed");
        }
    }
}

/// <summary>Body of an operator action, as the OpenAPI description shows it.</summary>
/// <param name="Note">Operator's note, up to 1000 characters.</param>
/// <param name="Duration">Shelve only: seconds, or an ISO 8601 duration string such as "PT30M" (1 s to 24 h).</param>
public sealed record ActionRequest(string? Note, double? Duration);
