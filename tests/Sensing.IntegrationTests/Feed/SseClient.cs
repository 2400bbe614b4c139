using System.Text;

namespace Sensing.IntegrationTests.Feed;

/// <summary>One Server-Sent Events message as the HTML standard's parser assembles it.</summary>
public sealed record SseMessage(string? Id, string Event, string Data);

/// <summary>A minimal reader of a <c>text/event-stream</c> response, for checking the feed's stream from a test.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    /// <summary>Opens the stream with the viewer key, sending <paramref name="lastEventId"/> when given.</summary>
    public static async Task<SseClient> OpenAsync(HttpClient http, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseClient(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next message (comments and retry-only blocks skipped), or null on timeout or end of stream.</summary>
    public async Task<SseMessage?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? id = null;
        string? type = null;
        var data = new StringBuilder();
        try
        {
            while (await _reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        return new SseMessage(id, type ?? "message", data.ToString());
                    }

                    id = null;
                    type = null;
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "id":
                        id = value;
                        break;
                    case "event":
                        type = value;
                        break;
                    case "data":
                        data.Append(data.Length > 0 ? "\n" : "").Append(value);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Messages until one satisfies <paramref name="until"/> (included), or the timeout.</summary>
    public async Task<List<SseMessage>> ReadUntilAsync(Func<SseMessage, bool> until, TimeSpan timeout)
    {
        var messages = new List<SseMessage>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && await NextAsync(deadline - DateTime.UtcNow) is { } message)
        {
            messages.Add(message);
            if (until(message))
            {
                break;
            }
        }

        return messages;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
