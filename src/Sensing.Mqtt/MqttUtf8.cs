using System.Text.Unicode;

namespace Sensing.Mqtt;

/// <summary>The MQTT rules for UTF-8 encoded strings.</summary>
public static class MqttUtf8
{
    /// <summary>
    /// True when <paramref name="value"/> is well-formed UTF-8 without surrogates and without U+0000
    /// (5.0 section 1.5.4 [MQTT-1.5.4-1], [MQTT-1.5.4-2]; 3.1.1 section 1.5.3 [MQTT-1.5.3-1], [MQTT-1.5.3-2]).
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value) => Validate(value) == MqttDecodeError.None;

    internal static MqttDecodeError Validate(ReadOnlySpan<byte> value)
    {
        // [MQTT-1.5.4-2] / [MQTT-1.5.3-2]: "MUST NOT include an encoding of the null character U+0000". The only
        // UTF-8 encoding of U+0000 is the byte 0x00 (the overlong C0 80 form is rejected as ill-formed below).
        if (value.Contains((byte)0))
        {
            return MqttDecodeError.NullCharacter;
        }

        // [MQTT-1.5.4-1] / [MQTT-1.5.3-1]: well-formed per RFC 3629, no encodings of U+D800..U+DFFF; Utf8.IsValid
        // rejects overlong forms, surrogates and code points above U+10FFFF.
        return Utf8.IsValid(value) ? MqttDecodeError.None : MqttDecodeError.InvalidUtf8;
    }
}
