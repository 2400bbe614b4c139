using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// <c>GET /api/alerts/{id}/trend</c>: the alert's source values around its raise time, read from the time-series store
/// (<see cref="StoreTrendReader"/>), with the rule's thresholds and the raise and clear times (<see cref="AlertTrend"/>).
/// 404 for an unknown alert, 502 when the store fails.
/// </summary>
internal static class AlertTrendEndpoint
{
    private static readonly HttpClient StoreHttp = new() { Timeout = TimeSpan.FromSeconds(20) };

    public static void MapAlertTrend(this IEndpointRouteBuilder app, string storeUrl)
    {
        var reader = new StoreTrendReader(StoreHttp, storeUrl);
        app.MapGet("/api/alerts/{id}/trend", async (string id, AlertBoard board, AlertResponseBook rules, TimeProvider clock, CancellationToken ct) =>
            {
                if (board.Find(id) is not { } detail)
                {
                    return FeedProblems.NotFound($"alert '{id}' is not known");
                }

                var alert = detail.Alert;
                var plan = TrendPlan.For(alert, rules.OptionsOf(alert.District), clock.GetUtcNow().ToUnixTimeMilliseconds());
                try
                {
                    var (resolution, series) = await reader.ReadAsync(plan, ct);
                    return TypedResults.Ok(new AlertTrend(alert.Id, alert.Condition, plan.Metric, plan.Unit, resolution, plan.FromMs, plan.ToMs,
                        alert.RaisedAtMs, alert.ClearedAtMs, plan.Thresholds, series));
                }
                catch (HttpRequestException e)
                {
                    return Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway);
                }
                catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
                {
                    return Results.Problem("the store did not answer in time: " + e.Message, statusCode: StatusCodes.Status502BadGateway);
                }
            })
            .RequireFeedRole(FeedRole.Viewer)
            .WithName("alertTrend")
            .WithSummary("The alert's source values around its raise time from the time-series store (a district alert's member devices, " +
                "at most 20), with the rule's thresholds and the raise and clear times")
            .Produces<AlertTrend>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status502BadGateway);
    }
}
