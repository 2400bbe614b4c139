namespace Sensing.Mqtt;

/// <summary>What a client does with retained messages when it subscribes (5.0 section 3.8.3.1, bits 4-5).</summary>
public enum MqttRetainHandling : byte
{
    /// <summary>Send retained messages at the time of the subscribe.</summary>
    SendAtSubscribe = 0,

    /// <summary>Send retained messages only if the subscription did not exist.</summary>
    SendAtSubscribeIfNew = 1,

    /// <summary>Do not send retained messages.</summary>
    DoNotSend = 2,
}

/// <summary>
/// The Subscription Options byte of SUBSCRIBE (5.0 section 3.8.3.1; in 3.1.1, section 3.8.3, only the requested QoS in
/// bits 0-1 and the rest reserved as 0).
/// </summary>
public readonly record struct MqttSubscriptionOptions
{
    private const int NoLocalBit = 0x04, RetainAsPublishedBit = 0x08, RetainHandlingShift = 4;

    /// <summary>Options with the given maximum QoS and the 5.0 defaults for everything else.</summary>
    public MqttSubscriptionOptions(MqttQoS maximumQoS, bool noLocal = false, bool retainAsPublished = false, MqttRetainHandling retainHandling = MqttRetainHandling.SendAtSubscribe)
        => Value = (byte)((int)maximumQoS | (noLocal ? NoLocalBit : 0) | (retainAsPublished ? RetainAsPublishedBit : 0) | ((int)retainHandling << RetainHandlingShift));

    private MqttSubscriptionOptions(byte value) => Value = value;

    /// <summary>The options byte as on the wire.</summary>
    public byte Value { get; }

    /// <summary>Bits 0-1: the maximum QoS the server may use for this subscription.</summary>
    public MqttQoS MaximumQoS => (MqttQoS)(Value & 0x03);

    /// <summary>Bit 2 (5.0): do not send the client its own publications.</summary>
    public bool NoLocal => (Value & NoLocalBit) != 0;

    /// <summary>Bit 3 (5.0): keep the RETAIN flag as published when forwarding.</summary>
    public bool RetainAsPublished => (Value & RetainAsPublishedBit) != 0;

    /// <summary>Bits 4-5 (5.0): retained message handling.</summary>
    public MqttRetainHandling RetainHandling => (MqttRetainHandling)((Value >> RetainHandlingShift) & 0x03);

    /// <summary>Wraps a byte from the wire without checking it.</summary>
    public static MqttSubscriptionOptions FromByte(byte value) => new(value);
}
