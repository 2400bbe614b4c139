namespace Sensing.Core.Alerts;

/// <summary>What an alert is about. The byte value is stable; the name is the wire and store form.</summary>
public enum AlertCondition : byte
{
    None = 0,
    /// <summary>Methane concentration at or above the first or second alarm level (GB/T 50493-2019).</summary>
    MethaneHigh = 1,
}

/// <summary>Names of <see cref="AlertCondition"/> values, e.g. <c>gas.methane-high</c>.</summary>
public static class AlertConditions
{
    private static readonly string[] Names = ["none", "gas.methane-high"];

    /// <summary>The dotted name of a condition.</summary>
    public static string Name(this AlertCondition condition) =>
        (int)condition < Names.Length ? Names[(int)condition] : Names[0];

    /// <summary>Parses a condition name.</summary>
    public static bool TryParse(string name, out AlertCondition condition)
    {
        var i = Array.IndexOf(Names, name);
        condition = i > 0 ? (AlertCondition)i : AlertCondition.None;
        return i > 0;
    }
}
