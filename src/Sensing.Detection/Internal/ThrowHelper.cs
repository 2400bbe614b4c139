using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Sensing.Detection.Internal;

/// <summary>Throw helpers kept out of line so the per-reading path stays small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowUnknownDevice(int deviceNumber, int registered) =>
        throw new ArgumentOutOfRangeException(
            nameof(deviceNumber), deviceNumber, $"device number {deviceNumber} is not registered (registry holds 0..{registered - 1})");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowBadOption(string option, string problem) =>
        throw new ArgumentException($"{option}: {problem}", option);
}
