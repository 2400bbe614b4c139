namespace Sensing.Detection.Internal;

/// <summary>Range checks for option records; each throws through <see cref="ThrowHelper.ThrowBadOption"/> naming the option.</summary>
internal static class OptionChecks
{
    // Negated comparisons throughout so NaN fails every check.
    public static void Positive(string option, double value, string unit)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            ThrowHelper.ThrowBadOption(option, $"must be a finite number above 0{Unit(unit)}, was {value}");
        }
    }

    public static void NonNegative(string option, double value, string unit)
    {
        if (!(value >= 0 && double.IsFinite(value)))
        {
            ThrowHelper.ThrowBadOption(option, $"must be a finite number >= 0{Unit(unit)}, was {value}");
        }
    }

    public static void Below(string option, double value, double limit, string limitName)
    {
        if (!(value < limit))
        {
            ThrowHelper.ThrowBadOption(option, $"must be below {limitName} ({limit}), was {value}");
        }
    }

    public static void AtLeast(string option, int value, int minimum)
    {
        if (value < minimum)
        {
            ThrowHelper.ThrowBadOption(option, $"must be at least {minimum}, was {value}");
        }
    }

    public static void NonNegative(string option, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(option, $"must not be negative, was {value}");
        }
    }

    public static void Positive(string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(option, $"must be above zero, was {value}");
        }
    }

    private static string Unit(string unit) => unit.Length > 0 ? " " + unit : "";
}
