using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// The 5.0 Reason String the gateway attaches to a refusal (5.0 sections 3.2.2.3.9 and 3.14.2.2.3: a human-readable
/// diagnostic, not to be parsed by the client). UTF-8 literals: nothing is built per packet.
/// </summary>
internal static class ReasonStrings
{
    public static ReadOnlySpan<byte> For(MqttReasonCode reason) => reason switch
    {
        MqttReasonCode.BadUserNameOrPassword => "unknown device or wrong password"u8,
        MqttReasonCode.NotAuthorized => "not authorized: a device may use only sensing/<its id>/up and sensing/<its id>/down, a revoked one nothing"u8,
        MqttReasonCode.MalformedPacket => "malformed packet"u8,
        MqttReasonCode.ProtocolError => "protocol error"u8,
        MqttReasonCode.PacketTooLarge => "packet larger than the gateway's maximum packet size"u8,
        MqttReasonCode.SessionTakenOver => "another connection of this device took over the session"u8,
        MqttReasonCode.AdministrativeAction => "the device was removed from the registry or revoked"u8,
        MqttReasonCode.KeepAliveTimeout => "nothing received for 1.5 times the keep alive"u8,
        MqttReasonCode.TopicAliasInvalid => "topic alias 0, above the maximum, or not yet set"u8,
        MqttReasonCode.ConnectionRateExceeded => "too many connections from this address"u8,
        MqttReasonCode.ServerUnavailable => "the gateway cannot store readings now"u8,
        MqttReasonCode.ServerShuttingDown => "the gateway is stopping"u8,
        _ => default,
    };
}
