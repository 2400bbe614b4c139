using System.Text.Json;
using Sensing.Core.Telemetry;

namespace Sensing.Core.Payloads;

/// <summary>The header fields of a decoded device payload.</summary>
/// <param name="EventTimeMs">When the device measured (Unix ms); the ingest time when the payload has no <c>ts</c>.</param>
/// <param name="Sequence">The device's sequence number.</param>
/// <param name="MetricCount">How many metrics were written to the caller's span.</param>
public readonly record struct DecodedReading(long EventTimeMs, ulong Sequence, int MetricCount);

/// <summary>
/// Decodes the JSON payload devices send, without allocating:
/// <c>{"seq":17,"ts":1732170000000,"lel":31.5,"battery":3.6}</c>.
/// <c>seq</c> is required; <c>ts</c> is Unix milliseconds or an ISO 8601 string, and defaults to the ingest time;
/// every other key that names a <see cref="Metric"/> (see <see cref="Metrics.Name"/>) is a metric. Charger
/// <c>status</c> and <c>error</c> may be OCPP 1.6 names ("Charging", "GroundFailure"); <c>valve</c> may be
/// "open"/"closed". Unknown keys are ignored, so devices may send extra fields (imei, firmware).
/// </summary>
public static class JsonReadingDecoder
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4 };

    /// <summary>Decodes <paramref name="payload"/> into <paramref name="metrics"/>; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, long ingestTimeMs, Span<MetricValue> metrics, out DecodedReading reading, out PayloadError error)
    {
        reading = default;
        try
        {
            return Decode(payload, ingestTimeMs, metrics, out reading, out error);
        }
        catch (JsonException)
        {
            error = PayloadError.MalformedJson;
            return false;
        }
    }

    private static bool Decode(ReadOnlySpan<byte> payload, long ingestTimeMs, Span<MetricValue> metrics, out DecodedReading reading, out PayloadError error)
    {
        reading = default;
        var reader = new Utf8JsonReader(payload, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = reader.TokenType == JsonTokenType.None ? PayloadError.MalformedJson : PayloadError.NotAnObject;
            return false;
        }

        var eventTime = ingestTimeMs;
        ulong sequence = 0;
        var haveSequence = false;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSeq = reader.ValueTextEquals("seq"u8);
            var isTs = !isSeq && reader.ValueTextEquals("ts"u8);
            var metric = Metric.None;
            if (!isSeq && !isTs && !reader.HasValueSequence)
            {
                Metrics.TryParse(reader.ValueSpan, out metric);
            }

            if (!reader.Read())
            {
                break;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                error = PayloadError.UnexpectedNesting;
                return false;
            }

            if (isSeq)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out sequence))
                {
                    error = PayloadError.BadSequence;
                    return false;
                }

                haveSequence = true;
            }
            else if (isTs)
            {
                if (!TryReadTimestamp(ref reader, out eventTime))
                {
                    error = PayloadError.BadTimestamp;
                    return false;
                }
            }
            else if (metric != Metric.None)
            {
                if (!TryReadValue(ref reader, metric, out var value))
                {
                    error = PayloadError.BadValue;
                    return false;
                }

                if (count == metrics.Length || count == TelemetryFrame.MaxMetrics)
                {
                    error = PayloadError.TooManyMetrics;
                    return false;
                }

                metrics[count++] = new MetricValue(metric, value);
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            error = PayloadError.MalformedJson;
            return false;
        }

        error = !haveSequence ? PayloadError.MissingSequence : count == 0 ? PayloadError.NoMetrics : PayloadError.None;
        reading = new DecodedReading(eventTime, sequence, count);
        return error == PayloadError.None;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out long unixMs)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out unixMs) && unixMs > 0;
        }

        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at))
        {
            unixMs = at.ToUnixTimeMilliseconds();
            return true;
        }

        unixMs = 0;
        return false;
    }

    private static bool TryReadValue(ref Utf8JsonReader reader, Metric metric, out double value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out value) && double.IsFinite(value);
            case JsonTokenType.True or JsonTokenType.False:
                value = reader.TokenType == JsonTokenType.True ? 1 : 0;
                return true;
            case JsonTokenType.String when !reader.HasValueSequence && !reader.ValueIsEscaped:
                return TryReadName(reader.ValueSpan, metric, out value);
            default:
                value = double.NaN;
                return false;
        }
    }

    private static bool TryReadName(ReadOnlySpan<byte> name, Metric metric, out double value)
    {
        value = double.NaN;
        switch (metric)
        {
            case Metric.ConnectorStatus when OcppNames.TryParseStatus(name, out var status):
                value = (double)status;
                return true;
            case Metric.ChargerErrorCode when OcppNames.TryParseError(name, out var code):
                value = (double)code;
                return true;
            case Metric.ValveOpen when name.SequenceEqual("open"u8) || name.SequenceEqual("closed"u8):
                value = name.SequenceEqual("open"u8) ? 1 : 0;
                return true;
            default:
                return false;
        }
    }
}
