using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// A decoded DISCONNECT (3.1.1 section 3.14, 5.0 section 3.14). Both sides receive it; in 5.0 it carries a reason
/// code and properties, in 3.1.1 it is empty.
/// </summary>
public readonly ref struct MqttDisconnect
{
    /// <summary>5.0 reason code; <see cref="MqttReasonCode.NormalDisconnection"/> when omitted and in 3.1.1.</summary>
    public MqttReasonCode ReasonCode { get; private init; }

    /// <summary>5.0 properties (Session Expiry Interval, Reason String, User Property, Server Reference).</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>5.0 Reason String; empty when absent.</summary>
    public ReadOnlySpan<byte> ReasonString => Properties.GetBytes(MqttPropertyId.ReasonString);

    /// <summary>5.0 Session Expiry Interval from the client; null when absent (keep the CONNECT value, 3.14.2.2.2).</summary>
    public uint? SessionExpiryInterval => Properties.TryGet(MqttPropertyId.SessionExpiryInterval, out var p) ? p.Integer : null;

    /// <summary>5.0 Server Reference (from a server, with 0x9C/0x9D); empty when absent.</summary>
    public ReadOnlySpan<byte> ServerReference => Properties.GetBytes(MqttPropertyId.ServerReference);

    /// <summary>Decodes a DISCONNECT. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttDisconnect disconnect, out MqttDecodeError error)
        => (error = Decode(frame, version, out disconnect)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttDisconnect disconnect)
    {
        disconnect = default;

        // 3.14.1: fixed-header flags are reserved, 0 (3.1.1 [MQTT-3.14.1-1]; 5.0 [MQTT-3.14.1-1]).
        var error = MqttFixedHeader.Check(frame, MqttPacketType.Disconnect);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        var reason = MqttReasonCode.NormalDisconnection;
        MqttProperties properties = default;

        // 3.1.1 section 3.14: no variable header, no payload. 5.0 section 3.14.2.1: "If the Remaining Length is less
        // than 1 the value of 0x00 (Normal disconnection) is used"; 3.14.2.2.1: "If the Remaining Length is less than 2,
        // a value of 0 is used" for the Property Length.
        if (version == MqttProtocolVersion.V500 && reader.TryReadByte(out var code))
        {
            if (!MqttReasonCodeRules.IsValid(MqttPacketType.Disconnect, code))
            {
                return MqttDecodeError.InvalidReasonCode;
            }

            reason = (MqttReasonCode)code;
            if (!reader.IsAtEnd && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Disconnect, out properties)) != MqttDecodeError.None)
            {
                return error;
            }
        }

        if (!reader.IsAtEnd)
        {
            return MqttDecodeError.TrailingBytes;
        }

        disconnect = new MqttDisconnect { ReasonCode = reason, Properties = properties };
        return MqttDecodeError.None;
    }
}
