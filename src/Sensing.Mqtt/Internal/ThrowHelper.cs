using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Sensing.Mqtt.Internal;

/// <summary>Throw helpers kept out of line so the writers stay small. Decoders never throw.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string message) => throw new ArgumentException(message);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName, string message) => throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowStringTooLong(string paramName)
        => throw new ArgumentOutOfRangeException(paramName, "an MQTT string or binary field holds at most 65,535 bytes (section 1.5.4 / 1.5.6)");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowPacketTooLarge()
        => throw new ArgumentException("the packet exceeds the largest remaining length, 268,435,455 bytes (section 2.1.4)");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowZeroPacketId(string paramName)
        => throw new ArgumentOutOfRangeException(paramName, "QoS 1/2 PUBLISH, SUBSCRIBE, UNSUBSCRIBE and acknowledgments need a non-zero packet identifier (section 2.2.1)");
}
