using Sensing.Core.Telemetry;

namespace Sensing.Core.Payloads;

/// <summary>A device payload in either form: binary when it starts with <see cref="BinaryReadingDecoder.Marker"/>, JSON otherwise.</summary>
public static class DevicePayload
{
    /// <summary>Decodes a JSON or binary reading; never throws, never allocates.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, long ingestTimeMs, Span<MetricValue> metrics, out DecodedReading reading, out PayloadError error) =>
        !payload.IsEmpty && payload[0] == BinaryReadingDecoder.Marker
            ? BinaryReadingDecoder.TryDecode(payload, ingestTimeMs, metrics, out reading, out error)
            : JsonReadingDecoder.TryDecode(payload, ingestTimeMs, metrics, out reading, out error);
}
