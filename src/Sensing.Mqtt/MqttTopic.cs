namespace Sensing.Mqtt;

/// <summary>Topic name and topic filter syntax (3.1.1 section 4.7, 5.0 sections 4.7 and 4.8.2).</summary>
public static class MqttTopic
{
    private const byte Separator = (byte)'/';
    private const byte SingleLevel = (byte)'+';
    private const byte MultiLevel = (byte)'#';

    // 5.0 section 4.8.2: a shared subscription filter starts with "$share/".
    private static ReadOnlySpan<byte> SharePrefix => "$share/"u8;

    /// <summary>True for a valid topic name: at least one character and no wildcard (4.7.1, 4.7.3).</summary>
    public static bool IsValidName(ReadOnlySpan<byte> topic) => CheckName(topic) == MqttDecodeError.None;

    /// <summary>
    /// True for a valid topic filter (4.7.1): not empty [MQTT-4.7.3-1]; '#' only as the whole last level
    /// [MQTT-4.7.1-2]; '+' only as a whole level [MQTT-4.7.1-3]; and for a shared subscription (5.0 section 4.8.2) a
    /// non-empty share name without '/', '+', '#' followed by '/' and a valid filter [MQTT-4.8.2-1], [MQTT-4.8.2-2].
    /// </summary>
    public static bool IsValidFilter(ReadOnlySpan<byte> filter)
    {
        if (IsShared(filter))
        {
            var rest = filter[SharePrefix.Length..];
            var slash = rest.IndexOf(Separator);
            if (slash <= 0 || rest[..slash].IndexOfAny(SingleLevel, MultiLevel) >= 0)
            {
                return false;
            }

            filter = rest[(slash + 1)..];
        }

        if (filter.IsEmpty)
        {
            return false;
        }

        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is not (SingleLevel or MultiLevel))
            {
                continue;
            }

            var startsLevel = i == 0 || filter[i - 1] == Separator;
            var endsLevel = i == filter.Length - 1 || filter[i + 1] == Separator;
            if (!startsLevel || !endsLevel || (c == MultiLevel && i != filter.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="filter"/> names a 5.0 shared subscription ("$share/...", section 4.8.2).</summary>
    public static bool IsShared(ReadOnlySpan<byte> filter) => filter.StartsWith(SharePrefix);

    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="filter"/> (4.7.1, 4.7.2: filters starting with a
    /// wildcard do not match topics starting with '$' [MQTT-4.7.2-1]).
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> topic)
    {
        if (!topic.IsEmpty && topic[0] == (byte)'$' && !filter.IsEmpty && filter[0] is SingleLevel or MultiLevel)
        {
            return false;
        }

        while (true)
        {
            var f = filter.IndexOf(Separator);
            var fLevel = f < 0 ? filter : filter[..f];
            if (fLevel.Length == 1 && fLevel[0] == MultiLevel)
            {
                // "sport/#" also matches "sport" (4.7.1.2): '#' matches the parent level and any number of children.
                return true;
            }

            var t = topic.IndexOf(Separator);
            var tLevel = t < 0 ? topic : topic[..t];
            if (!(fLevel.Length == 1 && fLevel[0] == SingleLevel) && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (f < 0 || t < 0)
            {
                // Both must end here, or the filter may continue with a last "/#" level.
                return (f < 0 && t < 0) || (t < 0 && filter[(f + 1)..].SequenceEqual("#"u8));
            }

            filter = filter[(f + 1)..];
            topic = topic[(t + 1)..];
        }
    }

    internal static MqttDecodeError CheckName(ReadOnlySpan<byte> topic)
    {
        // 4.7.3 [MQTT-4.7.3-1]: "All Topic Names and Topic Filters MUST be at least one character long".
        if (topic.IsEmpty)
        {
            return MqttDecodeError.EmptyTopicName;
        }

        // 3.3.2.1 [MQTT-3.3.2-2]: "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters".
        return topic.IndexOfAny(SingleLevel, MultiLevel) < 0 ? MqttDecodeError.None : MqttDecodeError.WildcardInTopicName;
    }
}
