using Sensing.Mqtt.Internal;

namespace Sensing.Mqtt;

/// <summary>
/// 5.0 PUBLISH properties to write (5.0 section 3.3.2.3). Every property is optional: a null value, 0 or an empty
/// span leaves it out. Ignored for 3.1.1.
/// </summary>
public readonly ref struct MqttPublishProperties
{
    /// <summary>0 unspecified bytes, 1 UTF-8 text (3.3.2.3.2).</summary>
    public byte? PayloadFormatIndicator { get; init; }

    /// <summary>Lifetime of the message in seconds (3.3.2.3.3).</summary>
    public uint? MessageExpiryInterval { get; init; }

    /// <summary>Topic alias, 1..the receiver's Topic Alias Maximum; 0 leaves it out (3.3.2.3.4).</summary>
    public ushort TopicAlias { get; init; }

    /// <summary>Response topic (3.3.2.3.5).</summary>
    public ReadOnlySpan<byte> ResponseTopic { get; init; }

    /// <summary>Correlation data (3.3.2.3.6).</summary>
    public ReadOnlySpan<byte> CorrelationData { get; init; }

    /// <summary>Server to client only: the identifier of the matching subscription; 0 leaves it out (3.3.2.3.8).</summary>
    public uint SubscriptionIdentifier { get; init; }

    /// <summary>Content type (3.3.2.3.9).</summary>
    public ReadOnlySpan<byte> ContentType { get; init; }

    /// <summary>Name of one user property (3.3.2.3.7), e.g. "traceparent"; empty leaves it out.</summary>
    public ReadOnlySpan<byte> UserPropertyName { get; init; }

    /// <summary>Value of that user property.</summary>
    public ReadOnlySpan<byte> UserPropertyValue { get; init; }

    internal int Length()
    {
        if (SubscriptionIdentifier > MqttVariableByteInteger.MaxValue)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(SubscriptionIdentifier), "a subscription identifier is 1..268,435,455 (3.3.2.3.8)");
        }

        return (PayloadFormatIndicator.HasValue ? 2 : 0)
            + (MessageExpiryInterval.HasValue ? 5 : 0)
            + (TopicAlias != 0 ? 3 : 0)
            + MqttWireSize.OptionalBytesProperty(ResponseTopic, nameof(ResponseTopic))
            + MqttWireSize.OptionalBytesProperty(CorrelationData, nameof(CorrelationData))
            + (SubscriptionIdentifier != 0 ? 1 + MqttVariableByteInteger.SizeOf((int)SubscriptionIdentifier) : 0)
            + MqttWireSize.OptionalBytesProperty(ContentType, nameof(ContentType))
            + MqttWireSize.OptionalPairProperty(UserPropertyName, UserPropertyValue, nameof(UserPropertyName));
    }

    internal void Write(ref MqttSpanWriter w)
    {
        if (PayloadFormatIndicator is { } format)
        {
            w.ByteProperty(MqttPropertyId.PayloadFormatIndicator, format);
        }

        if (MessageExpiryInterval is { } expiry)
        {
            w.UInt32Property(MqttPropertyId.MessageExpiryInterval, expiry);
        }

        if (TopicAlias != 0)
        {
            w.UInt16Property(MqttPropertyId.TopicAlias, TopicAlias);
        }

        if (!ResponseTopic.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.ResponseTopic, ResponseTopic);
        }

        if (!CorrelationData.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.CorrelationData, CorrelationData);
        }

        if (SubscriptionIdentifier != 0)
        {
            w.VariableByteIntegerProperty(MqttPropertyId.SubscriptionIdentifier, (int)SubscriptionIdentifier);
        }

        if (!ContentType.IsEmpty)
        {
            w.BytesProperty(MqttPropertyId.ContentType, ContentType);
        }

        if (!UserPropertyName.IsEmpty)
        {
            w.PairProperty(MqttPropertyId.UserProperty, UserPropertyName, UserPropertyValue);
        }
    }
}
