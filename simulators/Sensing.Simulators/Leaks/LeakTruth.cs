using System.Globalization;
using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Leaks;

/// <summary>How a leak appears.</summary>
public enum LeakKind
{
    /// <summary>A step within minutes (a burst or a joint giving way).</summary>
    Abrupt,
    /// <summary>Grows linearly over weeks to its full size (LeakDB's incipient leaks).</summary>
    Incipient,
}

/// <summary>One injected leak: never repaired within the scenario, so leaks of a district add up.</summary>
/// <param name="District">The district (the alerts' source).</param>
/// <param name="Kind">Abrupt or incipient.</param>
/// <param name="StartMs">When it starts, Unix ms.</param>
/// <param name="FullMs">When it reaches full size, Unix ms.</param>
/// <param name="Fraction">Full size as a fraction of the district's mean inflow.</param>
/// <param name="FlowM3h">Full size, m3/h.</param>
public sealed record LeakTruth(string District, LeakKind Kind, long StartMs, long FullMs, double Fraction, double FlowM3h)
{
    /// <summary>Flow of the leak at <paramref name="timeMs"/>, m3/h.</summary>
    public double FlowAt(long timeMs) =>
        timeMs < StartMs ? 0 : timeMs >= FullMs ? FlowM3h : FlowM3h * (timeMs - StartMs) / (double)(FullMs - StartMs);

    /// <summary>The CSV header of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader = "district,kind,start,full,fraction,flow_m3h";

    /// <summary>One CSV line.</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{District},{Kind.ToString().ToLowerInvariant()},{CsvTime.Format(StartMs)},{CsvTime.Format(FullMs)},{Fraction:0.0000},{FlowM3h:0.000}");
}
