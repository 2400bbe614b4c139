namespace Sensing.Gateway;

/// <summary>
/// The topic scheme: a device publishes readings to <c>sensing/{device-id}/up</c> and receives commands on
/// <c>sensing/{device-id}/down</c>. A device may use only its own topics.
/// </summary>
public static class DeviceTopics
{
    private static ReadOnlySpan<byte> Prefix => "sensing/"u8;

    /// <summary>True when <paramref name="topic"/> is <c>sensing/{deviceId}/{suffix}</c>.</summary>
    public static bool IsOwn(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> deviceId, ReadOnlySpan<byte> suffix) =>
        topic.Length == Prefix.Length + deviceId.Length + 1 + suffix.Length
        && topic.StartsWith(Prefix)
        && topic.Slice(Prefix.Length, deviceId.Length).SequenceEqual(deviceId)
        && topic[Prefix.Length + deviceId.Length] == (byte)'/'
        && topic.EndsWith(suffix);

    /// <summary>The uplink suffix.</summary>
    public static ReadOnlySpan<byte> Up => "up"u8;

    /// <summary>The downlink suffix.</summary>
    public static ReadOnlySpan<byte> Down => "down"u8;
}
