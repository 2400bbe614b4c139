using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// <c>GET /api/alerts/stream</c>: Server-Sent Events (HTML Living Standard, "Server-sent events"). Every applied
/// alert event is an <c>event: alert</c> whose <c>id:</c> is <c>{epoch}-{seq}</c>; a client reconnecting with
/// <c>Last-Event-ID</c> gets what it missed from the replay buffer, or an <c>event: reset</c> telling it to reload.
/// The key may be given as <c>?key=</c> because a browser's EventSource cannot set headers.
/// </summary>
internal static class AlertStreamEndpoints
{
    // The reconnection delay the client should use (SSE "retry" field), in ms.
    private const int RetryMs = 2000;

    public static void MapAlertStream(this IEndpointRouteBuilder app) => app.MapGet("/api/alerts/stream", StreamAsync)
        .RequireFeedRole(FeedRole.Viewer, allowQueryKey: true)
        .WithName("streamAlerts")
        .WithSummary("Live stream of every alert event (text/event-stream), resumable with Last-Event-ID")
        .WithDescription("Each entry: `id: {epoch}-{seq}`, `event: alert`, `data: {seq, event, alert}` (the event and the alert's " +
            "state after it). Reconnect with the Last-Event-ID header (or ?lastEventId=) to get the entries missed; when that id is " +
            "older than the replay buffer or from a restarted feed, the first entry is `event: reset` with `data: {reason, head}`: " +
            "reload GET /api/alerts. The API key may be given as ?key= here only, for EventSource. Idle streams get a comment line " +
            "every 15 s.")
        .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
        .ProducesProblem(StatusCodes.Status401Unauthorized);

    private static async Task StreamAsync(HttpContext context, AlertBoard board, FeedOptions options, IHostApplicationLifetime lifetime)
    {
        string? lastEventId = context.Request.Headers["Last-Event-ID"];
        if (string.IsNullOrEmpty(lastEventId))
        {
            lastEventId = context.Request.Query["lastEventId"];
        }

        using var subscription = board.Stream.Subscribe(lastEventId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            await WriteAsync(response, $"retry: {RetryMs}\n\n", stop.Token);
            if (subscription.ResetReason is { } reason)
            {
                var reset = JsonSerializer.Serialize(new StreamReset(reason, subscription.Head), FeedJsonContext.Default.StreamReset);
                await WriteAsync(response, $"id: {board.Stream.EventId(subscription.Head)}\nevent: reset\ndata: {reset}\n\n", stop.Token);
            }

            foreach (var entry in subscription.Replay)
            {
                await WriteEntryAsync(response, board.Stream, entry, stop.Token);
            }

            await response.Body.FlushAsync(stop.Token);
            await FollowAsync(response, board.Stream, subscription, options.StreamKeepAlive, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the feed is stopping.
        }
    }

    private static async Task FollowAsync(HttpResponse response, AlertStream stream, AlertSubscription subscription, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(keepAlive);
            bool more;
            try
            {
                more = await subscription.Live.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await WriteAsync(response, ": keep-alive\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                continue;
            }

            if (!more)
            {
                // Cut off for falling a whole queue behind: the client reconnects with Last-Event-ID.
                return;
            }

            while (subscription.Live.TryRead(out var entry))
            {
                await WriteEntryAsync(response, stream, entry, cancellationToken);
            }

            await response.Body.FlushAsync(cancellationToken);
        }
    }

    private static Task WriteEntryAsync(HttpResponse response, AlertStream stream, FeedEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(response, $"id: {stream.EventId(entry.Seq)}\nevent: alert\ndata: {JsonSerializer.Serialize(entry, FeedJsonContext.Default.FeedEntry)}\n\n", cancellationToken);

    private static Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken) =>
        response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).AsTask();
}

/// <summary>Data of an <c>event: reset</c> on the live stream.</summary>
/// <param name="Reason">Why the missed entries cannot be replayed.</param>
/// <param name="Head">Sequence number the stream continues after.</param>
public sealed record StreamReset(string Reason, long Head);
