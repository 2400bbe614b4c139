using System.Buffers;
using System.Buffers.Binary;

namespace Sensing.Core.Telemetry;

/// <summary>
/// The value of a <c>sensing.telemetry</c> record: one reading, self-contained (device, kind, event time,
/// ingest time, device sequence number, trace context, metrics), so nothing depends on Kafka headers or broker
/// timestamps. Big-endian layout, version 1:
/// <code>
/// 0      magic 'S' (0x53)
/// 1      version (1)
/// 2      device kind (DeviceKind)
/// 3      metric count n (0..32)
/// 4..11  event time, Unix ms (int64)
/// 12..19 ingest time at the gateway, Unix ms (int64)
/// 20..27 device sequence number (uint64)
/// 28..43 trace id (128 bits), 44..51 span id (64 bits); zero when not traced
/// 52     device id length L (1..64), then L bytes of ASCII id
/// then n x (metric code: 1 byte, value: IEEE 754 double, 8 bytes)
/// </code>
/// </summary>
public readonly ref struct TelemetryFrame
{
    /// <summary>First byte of every frame.</summary>
    public const byte Magic = (byte)'S';

    /// <summary>Current layout version.</summary>
    public const byte Version = 1;

    /// <summary>Most metrics one reading may carry.</summary>
    public const int MaxMetrics = 32;

    private const int HeaderLength = 53;
    private const int MetricLength = 9;

    /// <summary>Largest possible frame, for sizing buffers.</summary>
    public const int MaxLength = HeaderLength + Devices.DeviceInfo.MaxIdLength + (MaxMetrics * MetricLength);

    private readonly ReadOnlySpan<byte> _frame;

    private TelemetryFrame(ReadOnlySpan<byte> frame) => _frame = frame;

    /// <summary>What kind of device produced the reading.</summary>
    public Devices.DeviceKind Kind => (Devices.DeviceKind)_frame[2];

    /// <summary>Number of metrics in the reading.</summary>
    public int MetricCount => _frame[3];

    /// <summary>When the device measured, Unix milliseconds.</summary>
    public long EventTimeMs => BinaryPrimitives.ReadInt64BigEndian(_frame[4..]);

    /// <summary>When the gateway received the reading, Unix milliseconds.</summary>
    public long IngestTimeMs => BinaryPrimitives.ReadInt64BigEndian(_frame[12..]);

    /// <summary>The device's own sequence number (duplicates repeat it).</summary>
    public ulong Sequence => BinaryPrimitives.ReadUInt64BigEndian(_frame[20..]);

    /// <summary>
    /// True for the gateway's record of a device connecting or its will firing: sequence number 0 (the gateway does
    /// not know the device's counter) and one metric, <see cref="Metric.Online"/>, at the gateway's clock. It is a
    /// connection state, not a measurement: it is neither a duplicate of a reading nor part of the device's readings'
    /// event-time order.
    /// </summary>
    public bool IsConnectionEvent => Sequence == 0 && _frame[3] == 1 && GetMetric(0).Metric == Metric.Online;

    /// <summary>Trace context of the reading.</summary>
    public TraceContext Trace => new(BinaryPrimitives.ReadUInt128BigEndian(_frame[28..]), BinaryPrimitives.ReadUInt64BigEndian(_frame[44..]));

    /// <summary>The device id, ASCII.</summary>
    public ReadOnlySpan<byte> DeviceId => _frame.Slice(HeaderLength, _frame[52]);

    /// <summary>The i-th metric (0-based).</summary>
    public MetricValue GetMetric(int index)
    {
        var at = HeaderLength + _frame[52] + (index * MetricLength);
        return new MetricValue((Metric)_frame[at], BinaryPrimitives.ReadDoubleBigEndian(_frame[(at + 1)..]));
    }

    /// <summary>Finds the value of <paramref name="metric"/> in this reading.</summary>
    public bool TryGet(Metric metric, out double value)
    {
        var at = HeaderLength + _frame[52];
        for (var i = 0; i < _frame[3]; i++, at += MetricLength)
        {
            if (_frame[at] == (byte)metric)
            {
                value = BinaryPrimitives.ReadDoubleBigEndian(_frame[(at + 1)..]);
                return true;
            }
        }

        value = double.NaN;
        return false;
    }

    /// <summary>
    /// Checks <paramref name="frame"/> completely (magic, version, lengths, id syntax, metric codes) and gives a
    /// view over it. Never throws; on failure <paramref name="error"/> says what is wrong.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, out TelemetryFrame reading, out TelemetryFrameError error)
    {
        reading = default;
        if (frame.Length < HeaderLength + 1)
        {
            error = TelemetryFrameError.Truncated;
            return false;
        }

        if (frame[0] != Magic)
        {
            error = TelemetryFrameError.BadMagic;
            return false;
        }

        if (frame[1] != Version)
        {
            error = TelemetryFrameError.UnknownVersion;
            return false;
        }

        int idLength = frame[52];
        int count = frame[3];
        if (count > MaxMetrics)
        {
            error = TelemetryFrameError.TooManyMetrics;
            return false;
        }

        if (frame.Length != HeaderLength + idLength + (count * MetricLength))
        {
            error = TelemetryFrameError.LengthMismatch;
            return false;
        }

        if (!Devices.DeviceInfo.IsValidId(frame.Slice(HeaderLength, idLength)))
        {
            error = TelemetryFrameError.BadDeviceId;
            return false;
        }

        for (int i = 0, at = HeaderLength + idLength; i < count; i++, at += MetricLength)
        {
            if (frame[at] is 0 or > Metrics.MaxCode)
            {
                error = TelemetryFrameError.UnknownMetric;
                return false;
            }
        }

        reading = new TelemetryFrame(frame);
        error = TelemetryFrameError.None;
        return true;
    }

    /// <summary>Encodes one reading into <paramref name="writer"/>; returns the bytes written.</summary>
    public static int Write(
        IBufferWriter<byte> writer, ReadOnlySpan<byte> deviceId, Devices.DeviceKind kind, long eventTimeMs, long ingestTimeMs,
        ulong sequence, TraceContext trace, ReadOnlySpan<MetricValue> metrics)
    {
        var length = HeaderLength + deviceId.Length + (metrics.Length * MetricLength);
        var span = writer.GetSpan(length);
        Write(span, deviceId, kind, eventTimeMs, ingestTimeMs, sequence, trace, metrics);
        writer.Advance(length);
        return length;
    }

    /// <summary>Encodes one reading into <paramref name="destination"/> (at least <see cref="MaxLength"/> long is always enough).</summary>
    public static int Write(
        Span<byte> destination, ReadOnlySpan<byte> deviceId, Devices.DeviceKind kind, long eventTimeMs, long ingestTimeMs,
        ulong sequence, TraceContext trace, ReadOnlySpan<MetricValue> metrics)
    {
        if (!Devices.DeviceInfo.IsValidId(deviceId))
        {
            ThrowHelper.ThrowArgument("device id is not 1-64 of [A-Za-z0-9._-]");
        }

        if (metrics.Length > MaxMetrics)
        {
            ThrowHelper.ThrowArgument("a reading carries at most 32 metrics");
        }

        var length = HeaderLength + deviceId.Length + (metrics.Length * MetricLength);
        var span = destination[..length];
        span[0] = Magic;
        span[1] = Version;
        span[2] = (byte)kind;
        span[3] = (byte)metrics.Length;
        BinaryPrimitives.WriteInt64BigEndian(span[4..], eventTimeMs);
        BinaryPrimitives.WriteInt64BigEndian(span[12..], ingestTimeMs);
        BinaryPrimitives.WriteUInt64BigEndian(span[20..], sequence);
        BinaryPrimitives.WriteUInt128BigEndian(span[28..], trace.TraceId);
        BinaryPrimitives.WriteUInt64BigEndian(span[44..], trace.SpanId);
        span[52] = (byte)deviceId.Length;
        deviceId.CopyTo(span[HeaderLength..]);
        var at = HeaderLength + deviceId.Length;
        foreach (var m in metrics)
        {
            span[at] = (byte)m.Metric;
            BinaryPrimitives.WriteDoubleBigEndian(span[(at + 1)..], m.Value);
            at += MetricLength;
        }

        return length;
    }
}

/// <summary>Why a telemetry frame did not decode.</summary>
public enum TelemetryFrameError : byte
{
    None, Truncated, BadMagic, UnknownVersion, TooManyMetrics, LengthMismatch, BadDeviceId, UnknownMetric,
}
