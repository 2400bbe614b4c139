using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// 5.0 CONNACK properties to write (5.0 section 3.2.2.3). Every property is optional: a null value, 0 or an empty span
/// leaves it out, and the client then assumes the specification's default.
/// </summary>
public readonly ref struct MqttConnAckProperties
{
    /// <summary>Session expiry the server imposes, seconds (3.2.2.3.2).</summary>
    public uint? SessionExpiryInterval { get; init; }

    /// <summary>QoS 1/2 publications the server processes concurrently for this client; 0 leaves it out, meaning 65,535 (3.2.2.3.3).</summary>
    public ushort ReceiveMaximum { get; init; }

    /// <summary>Highest QoS supported, 0 or 1; null leaves it out, meaning 2 (3.2.2.3.4).</summary>
    public MqttQoS? MaximumQoS { get; init; }

    /// <summary>Whether retained messages are supported; null leaves it out, meaning yes (3.2.2.3.5).</summary>
    public bool? RetainAvailable { get; init; }

    /// <summary>Largest packet the server accepts; 0 leaves it out (3.2.2.3.6).</summary>
    public uint MaximumPacketSize { get; init; }

    /// <summary>Client identifier the server assigned because the client sent an empty one (3.2.2.3.7).</summary>
    public ReadOnlySpan<byte> AssignedClientIdentifier { get; init; }

    /// <summary>Highest topic alias the server accepts; 0 leaves it out, meaning none (3.2.2.3.8).</summary>
    public ushort TopicAliasMaximum { get; init; }

    /// <summary>Human-readable diagnostic (3.2.2.3.9).</summary>
    public ReadOnlySpan<byte> ReasonString { get; init; }

    /// <summary>Whether wildcard subscriptions are supported; null leaves it out, meaning yes (3.2.2.3.11).</summary>
    public bool? WildcardSubscriptionAvailable { get; init; }

    /// <summary>Whether subscription identifiers are supported; null leaves it out, meaning yes (3.2.2.3.12).</summary>
    public bool? SubscriptionIdentifiersAvailable { get; init; }

    /// <summary>Whether shared subscriptions are supported; null leaves it out, meaning yes (3.2.2.3.13).</summary>
    public bool? SharedSubscriptionAvailable { get; init; }

    /// <summary>Keep alive the client must use instead of its own, seconds (3.2.2.3.14).</summary>
    public ushort? ServerKeepAlive { get; init; }

    /// <summary>Another server the client should use (3.2.2.3.16), with reason 0x9C or 0x9D.</summary>
    public ReadOnlySpan<byte> ServerReference { get; init; }

    internal int Length()
    {
        if (MaximumQoS is > MqttQoS.AtLeastOnce)
        {
            // 3.2.2.3.4: Maximum QoS is sent only as 0 or 1; absent means 2.
            ThrowHelper.ThrowArgumentOutOfRange(nameof(MaximumQoS), "Maximum QoS is 0 or 1; leave it null for 2 (3.2.2.3.4)");
        }

        return (SessionExpiryInterval.HasValue ? 5 : 0) + (ReceiveMaximum != 0 ? 3 : 0) + (MaximumQoS.HasValue ? 2 : 0)
            + (RetainAvailable.HasValue ? 2 : 0) + (MaximumPacketSize != 0 ? 5 : 0)
            + MqttWireSize.OptionalBytesProperty(AssignedClientIdentifier, nameof(AssignedClientIdentifier))
            + (TopicAliasMaximum != 0 ? 3 : 0) + MqttWireSize.OptionalBytesProperty(ReasonString, nameof(ReasonString))
            + (WildcardSubscriptionAvailable.HasValue ? 2 : 0) + (SubscriptionIdentifiersAvailable.HasValue ? 2 : 0)
            + (SharedSubscriptionAvailable.HasValue ? 2 : 0) + (ServerKeepAlive.HasValue ? 3 : 0)
            + MqttWireSize.OptionalBytesProperty(ServerReference, nameof(ServerReference));
    }

    internal void Write(ref MqttSpanWriter w)
    {
        if (SessionExpiryInterval is { } expiry)
        {
            w.UInt32Property(MqttPropertyId.SessionExpiryInterval, expiry);
        }

        if (ReceiveMaximum != 0)
        {
            w.UInt16Property(MqttPropertyId.ReceiveMaximum, ReceiveMaximum);
        }

        if (MaximumQoS is { } qos)
        {
            w.ByteProperty(MqttPropertyId.MaximumQoS, (byte)qos);
        }

        WriteFlag(ref w, MqttPropertyId.RetainAvailable, RetainAvailable);
        if (MaximumPacketSize != 0)
        {
            w.UInt32Property(MqttPropertyId.MaximumPacketSize, MaximumPacketSize);
        }

        if (!AssignedClientIdentifier.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.AssignedClientIdentifier, AssignedClientIdentifier);
        }

        if (TopicAliasMaximum != 0)
        {
            w.UInt16Property(MqttPropertyId.TopicAliasMaximum, TopicAliasMaximum);
        }

        if (!ReasonString.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.ReasonString, ReasonString);
        }

        WriteFlag(ref w, MqttPropertyId.WildcardSubscriptionAvailable, WildcardSubscriptionAvailable);
        WriteFlag(ref w, MqttPropertyId.SubscriptionIdentifierAvailable, SubscriptionIdentifiersAvailable);
        WriteFlag(ref w, MqttPropertyId.SharedSubscriptionAvailable, SharedSubscriptionAvailable);
        if (ServerKeepAlive is { } keepAlive)
        {
            w.UInt16Property(MqttPropertyId.ServerKeepAlive, keepAlive);
        }

        if (!ServerReference.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.ServerReference, ServerReference);
        }
    }

    private static void WriteFlag(ref MqttSpanWriter w, MqttPropertyId id, bool? value)
    {
        if (value is { } flag)
        {
            w.ByteProperty(id, flag ? (byte)1 : (byte)0);
        }
    }
}
