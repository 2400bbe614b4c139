using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Feed;

/// <summary>The alert feed: an HTTP API over the alerts on <c>sensing.alerts</c>.</summary>
public static class FeedHost
{
    /// <summary>Builds the feed's web application (not started).</summary>
    public static WebApplication Build(FeedOptions options, KafkaOptions kafka, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        kafka.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        logging?.Invoke(builder.Logging);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FeedJsonContext.Default));
        builder.Services.AddSingleton(kafka);
        builder.Services.AddSingleton<AlertBoard>();
        builder.Services.AddHostedService<AlertFeedConsumer>();

        var app = builder.Build();
        app.MapGet("/health", (AlertBoard board) => Results.Ok(new FeedHealth("ok", board.Applied)));
        var api = app.MapGroup("/api/alerts");
        api.MapGet("/", (AlertBoard board, string? state, string? condition, string? district, string? severity, long? since, int? limit) =>
        {
            try
            {
                return Results.Ok(board.Query(AlertFilter.Parse(state, condition, district, severity, since, limit)));
            }
            catch (ArgumentException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        api.MapGet("/{id}", (AlertBoard board, string id) =>
            board.Find(id) is { } view
                ? Results.Ok(new AlertDetail(view.Latest.Id, view.State, view.Latest, view.History))
                : Results.Problem($"no alert '{id}'", statusCode: StatusCodes.Status404NotFound));
        app.MapAnalystExport(options.StoreUrl);
        return app;
    }

    /// <summary>The address a started feed listens on (resolves port 0).</summary>
    public static string BoundUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

/// <summary>Body of <c>GET /health</c>.</summary>
public sealed record FeedHealth(string Status, long AlertEventsApplied);

/// <summary>Body of <c>GET /api/alerts/{id}</c>.</summary>
public sealed record AlertDetail(string Id, string State, AlertEvent Alert, IReadOnlyList<AlertEvent> History);
