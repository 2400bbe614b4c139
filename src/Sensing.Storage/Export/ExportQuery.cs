using System.Globalization;
using Sensing.Core.Devices;

namespace Sensing.Storage.Export;

/// <summary>What an analyst export holds.</summary>
public enum ExportKind
{
    /// <summary>One-minute aggregates: one row per device, metric and minute (<c>sensing_agg_1m</c>).</summary>
    Aggregates = 0,

    /// <summary>Alert lifecycle events: one row per alert event (<c>sensing_alert</c>).</summary>
    Alerts = 1,

    /// <summary>
    /// The fire-safety kinds' one-minute aggregates side by side: one row per device and minute, a column per
    /// statistic and per smoke alarm state.
    /// </summary>
    Fire = 2,
}

/// <summary>
/// One export request: kind, the event-time window [<see cref="FromMs"/>, <see cref="ToMs"/>) and optional district
/// and device-kind filters.
/// </summary>
public sealed record ExportQuery(ExportKind What, long FromMs, long ToMs, string? District = null, string? Kind = null)
{
    /// <summary>Longest window one export may cover.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    /// <summary>
    /// Parses query-string values (<c>what</c>: aggregates, alerts or fire; <c>from</c>/<c>to</c>: Unix ms or ISO 8601).
    /// Throws <see cref="ArgumentException"/> naming the bad parameter.
    /// </summary>
    public static ExportQuery Parse(string? what, string? from, string? to, string? district, string? kind)
    {
        var exportKind = what switch
        {
            "aggregates" => ExportKind.Aggregates,
            "alerts" => ExportKind.Alerts,
            "fire" => ExportKind.Fire,
            _ => throw new ArgumentException($"what: '{what}' is not one of aggregates, alerts, fire"),
        };
        var fromMs = ParseTime("from", from);
        var toMs = ParseTime("to", to);
        if (toMs <= fromMs)
        {
            throw new ArgumentException("to: must be after from");
        }

        if (toMs - fromMs > (long)MaxWindow.TotalMilliseconds)
        {
            throw new ArgumentException($"to: the window is longer than {MaxWindow.TotalDays:0} days");
        }

        if (kind is not null && !DeviceKinds.TryParse(kind, out _))
        {
            throw new ArgumentException($"kind: '{kind}' is not a device kind");
        }

        if (exportKind == ExportKind.Fire && kind is not null && kind is not ("smoke-alarm" or "electrical-fire-detector" or "fire-water-pressure"))
        {
            throw new ArgumentException($"kind: '{kind}' is not a fire-safety kind (smoke-alarm, electrical-fire-detector, fire-water-pressure)");
        }

        return new ExportQuery(exportKind, fromMs, toMs, string.IsNullOrEmpty(district) ? null : district, kind);
    }

    private static long ParseTime(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name}: required (Unix ms or ISO 8601)");
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return ms;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw new ArgumentException($"{name}: '{value}' is neither Unix ms nor ISO 8601");
    }
}
