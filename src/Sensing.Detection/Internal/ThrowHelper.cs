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

    /// <summary>Validates each entry of an override map, naming a bad entry's option <c>Name[key].Option</c>.</summary>
    public static void ValidateOverrides<T>(IReadOnlyDictionary<string, T>? overrides, string prefix, string name, Action<T, string> validate)
        where T : class
    {
        if (overrides is null)
        {
            return;
        }

        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                ThrowBadOption($"{prefix}{name}[{key}]", "must not be null");
            }

            validate(value, $"{prefix}{name}[{key}].");
        }
    }
}
