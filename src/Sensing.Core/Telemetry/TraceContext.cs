namespace Sensing.Core.Telemetry;

/// <summary>
/// W3C trace context ids carried inside the frame (not in Kafka headers, which Kafka 0.9 lacks).
/// All zero means "not traced".
/// </summary>
public readonly record struct TraceContext(UInt128 TraceId, ulong SpanId)
{
    /// <summary>Not traced.</summary>
    public static TraceContext None => default;

    /// <summary>True when a trace id is present.</summary>
    public bool IsPresent => TraceId != UInt128.Zero;
}
