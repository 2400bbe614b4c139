using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>Why a <see cref="DeviceMqttClient"/> connection ended.</summary>
public enum DeviceMqttCloseReason : byte
{
    /// <summary>Still open.</summary>
    None,

    /// <summary>The application called DisconnectAsync or DisposeAsync.</summary>
    ClientDisconnected,

    /// <summary>TCP connect failed, or the TCP connection broke or was closed by the server without DISCONNECT.</summary>
    ConnectionLost,

    /// <summary>CONNACK refused the connection; see <see cref="MqttClientException.ReasonCode"/>.</summary>
    ConnectRefused,

    /// <summary>No CONNACK within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>The server sent DISCONNECT (5.0); see <see cref="MqttClientException.ReasonCode"/>.</summary>
    ServerDisconnected,

    /// <summary>The server sent something malformed or out of protocol; the client closed (with DISCONNECT in 5.0).</summary>
    ProtocolError,

    /// <summary>No PINGRESP within the keep-alive period after a PINGREQ (3.1.2.10).</summary>
    KeepAliveTimeout,

    /// <summary>A <see cref="DeviceMqttClient.MessageReceived"/> handler threw.</summary>
    HandlerFailed,

    /// <summary>No SUBACK or UNSUBACK within <see cref="DeviceMqttConnectOptions.RequestTimeout"/>.</summary>
    RequestTimeout,
}

/// <summary>The server refused or broke the MQTT exchange; the faulted task of every operation that it ended.</summary>
public sealed class MqttClientException : Exception
{
    /// <summary>An exception with a message only.</summary>
    public MqttClientException(string message)
        : base(message)
    {
    }

    /// <summary>An exception that says why the connection or the operation ended.</summary>
    public MqttClientException(string message, DeviceMqttCloseReason reason, MqttReasonCode reasonCode, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        ReasonCode = reasonCode;
    }

    /// <summary>Why the connection ended; <see cref="DeviceMqttCloseReason.None"/> when only the operation failed (e.g. a PUBACK with a failure code).</summary>
    public DeviceMqttCloseReason Reason { get; }

    /// <summary>The MQTT reason code involved (3.1.1 return codes mapped to 5.0 codes); Success when none.</summary>
    public MqttReasonCode ReasonCode { get; }
}

/// <summary>Arguments of <see cref="DeviceMqttClient.Closed"/>.</summary>
public sealed class DeviceMqttClosedEventArgs(DeviceMqttCloseReason reason, MqttReasonCode reasonCode, Exception? exception) : EventArgs
{
    /// <summary>Why the connection ended.</summary>
    public DeviceMqttCloseReason Reason { get; } = reason;

    /// <summary>The MQTT reason code (refusal, server DISCONNECT, or the code the client sent); Success when none.</summary>
    public MqttReasonCode ReasonCode { get; } = reasonCode;

    /// <summary>The socket error or handler exception behind it, if any.</summary>
    public Exception? Exception { get; } = exception;
}

/// <summary>
/// Receives a downlink PUBLISH. Runs on the client's receive loop: the spans in <paramref name="message"/> are valid
/// only during the call, and a slow handler delays everything behind it. The acknowledgment (PUBACK / PUBREC) is sent
/// after the handler returns.
/// </summary>
public delegate void DeviceMqttMessageHandler(DeviceMqttClient client, in MqttPublish message);
