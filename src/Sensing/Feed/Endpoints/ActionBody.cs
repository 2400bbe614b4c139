using System.Text.Json;
using System.Xml;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// The JSON body of an operator action: <c>{"note": "..."}</c>, and for a shelve <c>"duration"</c> as seconds
/// (a number) or an ISO 8601 duration (<c>"PT30M"</c>). Read by hand after the key check, so a refused caller's
/// body is never parsed, and every problem names its field.
/// </summary>
public sealed record ActionBody(string? Note, TimeSpan? Duration)
{
    /// <summary>Largest body read.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>Reads the request body (may be empty); throws <see cref="FeedRequestException"/> naming the field.</summary>
    public static async Task<ActionBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBytes)
        {
            throw new FeedRequestException("body", $"larger than {MaxBytes} bytes");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return new ActionBody(null, null);
        }

        if (buffer.Length > MaxBytes)
        {
            throw new FeedRequestException("body", $"larger than {MaxBytes} bytes");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw new FeedRequestException("body", $"not JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FeedRequestException("body", "must be a JSON object");
            }

            string? note = null;
            if (root.TryGetProperty("note", out var n) && n.ValueKind != JsonValueKind.Null)
            {
                note = n.ValueKind == JsonValueKind.String ? n.GetString() : throw new FeedRequestException("note", "must be a string");
                if (note!.Length > AlertActions.MaxNoteLength)
                {
                    throw new FeedRequestException("note", $"longer than {AlertActions.MaxNoteLength} characters");
                }
            }

            TimeSpan? duration = null;
            if (root.TryGetProperty("duration", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                duration = d.ValueKind switch
                {
                    JsonValueKind.Number when d.TryGetDouble(out var seconds) && double.IsFinite(seconds) && seconds is > 0 and < 1e9 => TimeSpan.FromSeconds(seconds),
                    JsonValueKind.String => ParseIso(d.GetString()!),
                    _ => throw new FeedRequestException("duration", "must be seconds (a positive number) or an ISO 8601 duration such as \"PT30M\""),
                };
            }

            return new ActionBody(string.IsNullOrWhiteSpace(note) ? null : note, duration);
        }
    }

    private static TimeSpan ParseIso(string text)
    {
        try
        {
            return XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new FeedRequestException("duration", $"'{text}' is not an ISO 8601 duration such as \"PT30M\"");
        }
    }
}
