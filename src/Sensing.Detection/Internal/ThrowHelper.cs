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

    /// <summary>Re-throws <paramref name="inner"/> (from an option's check) with its option named under <paramref name="prefix"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowBadOptionUnder(string prefix, ArgumentException inner)
    {
        // The inner message is "Option: problem (Parameter 'Option')".
        var name = inner.ParamName ?? "";
        var problem = inner.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        problem = problem.StartsWith($"{name}: ", StringComparison.Ordinal) ? problem[(name.Length + 2)..] : problem;
        var option = name.Length == 0 ? prefix : $"{prefix}.{name}";
        throw new ArgumentException($"{option}: {problem}", option, inner);
    }
}
