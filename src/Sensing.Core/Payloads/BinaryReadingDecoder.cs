using System.Buffers.Binary;
using Sensing.Core.Telemetry;

namespace Sensing.Core.Payloads;

/// <summary>
/// Decodes the compact binary reading, without allocating. Layout (all integers big-endian):
/// <code>
/// offset  size   field
/// 0       1      format marker 0xB1 (binary reading, version 1)
/// 1       4      seq: the device's sequence number, uint32
/// 5       8      ts: event time, Unix ms, int64; 0 means "the receive time"
/// 13      1      n: number of metrics, 1..32
/// 14      5 x n  per metric: code (1 byte, <see cref="Metric"/>) and value (IEEE 754 float32)
/// </code>
/// A gas meter's volume, flow, valve, battery, signal and temperature take 14 + 6 x 5 = 44 bytes (about 110 in
/// JSON). The marker 0xB1 can never start a JSON payload (it is a UTF-8 continuation byte), so one topic carries
/// both forms.
/// </summary>
public static class BinaryReadingDecoder
{
    /// <summary>The first byte of every binary reading.</summary>
    public const byte Marker = 0xB1;

    /// <summary>Bytes before the first metric.</summary>
    public const int HeaderLength = 14;

    /// <summary>Bytes per metric.</summary>
    public const int MetricLength = 5;

    /// <summary>Decodes <paramref name="payload"/> into <paramref name="metrics"/>; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, long ingestTimeMs, Span<MetricValue> metrics, out DecodedReading reading, out PayloadError error)
    {
        reading = default;
        if (payload.Length < HeaderLength + MetricLength || payload[0] != Marker)
        {
            error = PayloadError.BinaryTruncated;
            return false;
        }

        var sequence = BinaryPrimitives.ReadUInt32BigEndian(payload[1..]);
        var eventTime = BinaryPrimitives.ReadInt64BigEndian(payload[5..]);
        if (eventTime < 0)
        {
            error = PayloadError.BadTimestamp;
            return false;
        }

        int count = payload[13];
        if (count == 0)
        {
            error = PayloadError.NoMetrics;
            return false;
        }

        if (count > metrics.Length || count > TelemetryFrame.MaxMetrics)
        {
            error = PayloadError.TooManyMetrics;
            return false;
        }

        var end = HeaderLength + (count * MetricLength);
        if (payload.Length != end)
        {
            error = payload.Length < end ? PayloadError.BinaryTruncated : PayloadError.BinaryTrailingBytes;
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var at = HeaderLength + (i * MetricLength);
            var code = payload[at];
            if (code == 0 || code > Metrics.MaxCode)
            {
                error = PayloadError.UnknownMetric;
                return false;
            }

            var value = BinaryPrimitives.ReadSingleBigEndian(payload[(at + 1)..]);
            if (!float.IsFinite(value))
            {
                error = PayloadError.BadValue;
                return false;
            }

            metrics[i] = new MetricValue((Metric)code, value);
        }

        reading = new DecodedReading(eventTime == 0 ? ingestTimeMs : eventTime, sequence, count);
        error = PayloadError.None;
        return true;
    }

    /// <summary>Encodes a binary reading (for devices, simulators and tests); returns the bytes written.</summary>
    public static int Write(Span<byte> destination, uint sequence, long eventTimeMs, ReadOnlySpan<MetricValue> metrics)
    {
        if (metrics.Length is 0 or > TelemetryFrame.MaxMetrics)
        {
            throw new ArgumentOutOfRangeException(nameof(metrics), "a binary reading carries 1 to 32 metrics");
        }

        destination[0] = Marker;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[5..], eventTimeMs);
        destination[13] = (byte)metrics.Length;
        for (var i = 0; i < metrics.Length; i++)
        {
            var at = HeaderLength + (i * MetricLength);
            destination[at] = (byte)metrics[i].Metric;
            BinaryPrimitives.WriteSingleBigEndian(destination[(at + 1)..], (float)metrics[i].Value);
        }

        return HeaderLength + (metrics.Length * MetricLength);
    }
}
