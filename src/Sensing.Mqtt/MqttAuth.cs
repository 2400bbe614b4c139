using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>A decoded AUTH (5.0 section 3.15): one step of an extended authentication exchange. 5.0 only.</summary>
public readonly ref struct MqttAuth
{
    /// <summary>Success (0x00), Continue authentication (0x18) or Re-authenticate (0x19).</summary>
    public MqttReasonCode ReasonCode { get; private init; }

    /// <summary>Properties: Authentication Method, Authentication Data, Reason String, User Property.</summary>
    public MqttProperties Properties { get; private init; }

    /// <summary>The Authentication Method (3.15.2.2.2); empty when absent.</summary>
    public ReadOnlySpan<byte> AuthenticationMethod => Properties.GetBytes(MqttPropertyId.AuthenticationMethod);

    /// <summary>The Authentication Data (3.15.2.2.3); empty when absent.</summary>
    public ReadOnlySpan<byte> AuthenticationData => Properties.GetBytes(MqttPropertyId.AuthenticationData);

    /// <summary>Decodes an AUTH. Never throws.</summary>
    public static bool TryDecode(MqttFrame frame, MqttProtocolVersion version, out MqttAuth auth, out MqttDecodeError error)
        => (error = Decode(frame, version, out auth)) == MqttDecodeError.None;

    private static MqttDecodeError Decode(MqttFrame frame, MqttProtocolVersion version, out MqttAuth auth)
    {
        auth = default;

        // 3.1.1 section 2.2.1, table 2.1: type 15 is "Reserved, Forbidden".
        if (version != MqttProtocolVersion.V500 && frame.Type == MqttPacketType.Auth)
        {
            return MqttDecodeError.ReservedPacketType;
        }

        // 5.0 section 3.15.1 [MQTT-3.15.1-1]: bits 3-0 of the fixed header are reserved and MUST be 0.
        var error = MqttFixedHeader.Check(frame, MqttPacketType.Auth);
        if (error != MqttDecodeError.None)
        {
            return error;
        }

        var reader = new MqttSpanReader(frame.Body);
        var reason = MqttReasonCode.Success;
        MqttProperties properties = default;

        // 3.15.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is 0x00 (Success) and there
        // are no Properties. In this case the AUTH has a Remaining Length of 0."
        if (reader.TryReadByte(out var code))
        {
            if (!MqttReasonCodeRules.IsValid(MqttPacketType.Auth, code))
            {
                return MqttDecodeError.InvalidReasonCode;
            }

            reason = (MqttReasonCode)code;
            if (!reader.IsAtEnd && (error = MqttProperties.Read(ref reader, MqttPropertyContext.Auth, out properties)) != MqttDecodeError.None)
            {
                return error;
            }
        }

        if (!reader.IsAtEnd)
        {
            return MqttDecodeError.TrailingBytes;
        }

        auth = new MqttAuth { ReasonCode = reason, Properties = properties };
        return MqttDecodeError.None;
    }
}
