namespace Sensing.Core.Telemetry;

/// <summary>
/// Bits of a smoke alarm's <see cref="Metric.AlarmBits"/> value (GB 20517 independent smoke alarms report fire alarm,
/// fault and battery fault signals; NB-IoT models add removal from the base, the test button and the silence button).
/// The metric carries the bit field as a whole number; bits not listed are reserved and ignored by detection.
/// <list type="table">
/// <item><term>bit 0 (1)</term><description>fire alarm: smoke at the alarm threshold.</description></item>
/// <item><term>bit 1 (2)</term><description>fault: the smoke chamber or the sounder failed its self-test.</description></item>
/// <item><term>bit 2 (4)</term><description>low battery: the alarm's own battery fault signal.</description></item>
/// <item><term>bit 3 (8)</term><description>removed from its base (tamper switch).</description></item>
/// <item><term>bit 4 (16)</term><description>test button held: an alarm with this bit is a test, not smoke.</description></item>
/// <item><term>bit 5 (32)</term><description>silenced: the occupant pressed the silence (hush) button; the smoke may still be there.</description></item>
/// </list>
/// JSON devices send the field as <c>"alarm":1</c>; binary devices as metric code 8.
/// </summary>
public static class SmokeAlarmBits
{
    /// <summary>Smoke at the alarm threshold.</summary>
    public const uint Alarm = 1u << 0;

    /// <summary>Smoke chamber or sounder fault.</summary>
    public const uint Fault = 1u << 1;

    /// <summary>The alarm's battery fault signal.</summary>
    public const uint LowBattery = 1u << 2;

    /// <summary>Removed from its mounting base.</summary>
    public const uint Removed = 1u << 3;

    /// <summary>The test button is pressed.</summary>
    public const uint Test = 1u << 4;

    /// <summary>The alarm sound was silenced by the occupant.</summary>
    public const uint Silenced = 1u << 5;
}
