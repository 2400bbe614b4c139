namespace Sensing.Core.Telemetry;

/// <summary>
/// Bits of a gas meter's <see cref="Metric.AlarmBits"/> value (the metric carries the bit field as a whole number,
/// 0 to 2^31-1). Gateways translating a vendor's status word map it onto these bits; bits not listed are reserved
/// and ignored by detection.
/// <list type="table">
/// <item><term>bit 0 (1)</term><description>tamper: case opened or meter removed.</description></item>
/// <item><term>bit 1 (2)</term><description>magnetic interference on the measuring element.</description></item>
/// <item><term>bit 2 (4)</term><description>valve fault: the shut-off valve failed to move or its position is unknown.</description></item>
/// <item><term>bit 3 (8)</term><description>low battery as judged by the meter itself (informational; detection uses <see cref="Metric.BatteryVolts"/>).</description></item>
/// </list>
/// </summary>
public static class GasMeterAlarmBits
{
    /// <summary>Case opened or meter removed.</summary>
    public const uint Tamper = 1u << 0;

    /// <summary>Magnetic interference on the measuring element.</summary>
    public const uint MagneticInterference = 1u << 1;

    /// <summary>The shut-off valve failed to move, or its position is unknown.</summary>
    public const uint ValveFault = 1u << 2;

    /// <summary>The meter's own low-battery flag.</summary>
    public const uint LowBattery = 1u << 3;

    /// <summary>Reads the bit field from a metric value; false when it is not a whole number in 0..2^31-1.</summary>
    public static bool TryRead(double value, out uint bits)
    {
        // Negated so NaN fails.
        if (!(value >= 0 && value <= int.MaxValue) || value != Math.Floor(value))
        {
            bits = 0;
            return false;
        }

        bits = (uint)value;
        return true;
    }
}
