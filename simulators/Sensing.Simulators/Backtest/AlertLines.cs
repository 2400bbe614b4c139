using System.Text;
using System.Text.Json;
using Sensing.Simulators.Replay;
using Sensing.Simulators.Truth;

namespace Sensing.Simulators.Backtest;

/// <summary>
/// Alerts as JSON lines: <c>{"id":..,"source":..,"condition":..,"severity":..,"raisedAt":..,"clearedAt":..}</c>, times
/// ISO 8601 UTC, <c>clearedAt</c> null while the alert is active at the end of the data.
/// </summary>
public static class AlertLines
{
    /// <summary>Writes one line per alert.</summary>
    public static void Write(string path, IEnumerable<AlertRecord> alerts)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        foreach (var a in alerts)
        {
            json.Reset(stream);
            json.WriteStartObject();
            json.WriteString("id", a.Id);
            json.WriteString("source", a.Source);
            json.WriteString("condition", a.Condition);
            json.WriteString("severity", a.Severity);
            json.WriteString("raisedAt", CsvTime.Format(a.RaisedAtMs));
            if (a.ClearedAtMs is { } cleared)
            {
                json.WriteString("clearedAt", CsvTime.Format(cleared));
            }
            else
            {
                json.WriteNull("clearedAt");
            }

            json.WriteEndObject();
            json.Flush();
            stream.Write("\n"u8);
        }
    }

    /// <summary>Reads a file written by <see cref="Write"/>; a bad line throws naming file and line.</summary>
    public static IReadOnlyList<AlertRecord> Read(string path)
    {
        var alerts = new List<AlertRecord>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                var cleared = r.GetProperty("clearedAt");
                alerts.Add(new AlertRecord(r.GetProperty("id").GetString()!, r.GetProperty("source").GetString()!, r.GetProperty("condition").GetString()!,
                    r.GetProperty("severity").GetString()!, Time(r.GetProperty("raisedAt").GetString()),
                    cleared.ValueKind == JsonValueKind.Null ? null : Time(cleared.GetString())));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{path}:{lineNumber}: not an alert line: {e.Message}", e);
            }
        }

        return alerts;
    }

    private static long Time(string? text) =>
        text is not null && CsvTime.TryParse(text, out var ms) ? ms : throw new FormatException($"'{text}' is not a time");
}
