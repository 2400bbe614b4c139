using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>PINGREQ and PINGRESP (sections 3.12 and 3.13): no variable header, no payload.</summary>
public static class MqttPing
{
    /// <summary>Server side: validates a PINGREQ. Never throws.</summary>
    public static bool TryDecodeRequest(MqttFrame frame, out MqttDecodeError error)
        => (error = Check(frame, MqttPacketType.PingReq)) == MqttDecodeError.None;

    /// <summary>Client side: validates a PINGRESP. Never throws.</summary>
    public static bool TryDecodeResponse(MqttFrame frame, out MqttDecodeError error)
        => (error = Check(frame, MqttPacketType.PingResp)) == MqttDecodeError.None;

    private static MqttDecodeError Check(MqttFrame frame, MqttPacketType type)
    {
        // 2.1.3: flags reserved, 0. 3.12.2 / 3.13.2: "The PINGREQ/PINGRESP packet has no Variable Header", and no
        // payload (3.12.3 / 3.13.3), so the remaining length is 0.
        var error = MqttFixedHeader.Check(frame, type);
        return error != MqttDecodeError.None ? error : frame.Body.IsEmpty ? MqttDecodeError.None : MqttDecodeError.TrailingBytes;
    }
}
