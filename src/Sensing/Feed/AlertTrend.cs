using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection;

namespace Sensing.Feed;

/// <summary>
/// What <c>GET /api/alerts/{id}/trend</c> reads for an alert: the metric behind its condition, the devices whose
/// values made it (the source device, or a district alert's member devices), the time window around its raise, and the
/// rule's thresholds from the detection options in force for the source (the rules file's, with the district's, kind's
/// and device's overrides, or the built-in defaults).
/// </summary>
/// <param name="Metric">Metric name as stored (<c>sensing_reading_{metric}</c>); null when the condition has no measured value to show.</param>
/// <param name="Unit">Unit of the metric, for the chart's axis.</param>
/// <param name="Falling">True when the condition is a value falling below a limit (pressure, battery): the 1-minute fallback reads minima.</param>
/// <param name="Devices">Devices to read, at most <see cref="MaxSeries"/>; empty with <see cref="District"/> set reads the district's.</param>
/// <param name="District">For a district alert without member devices: read the district's devices of the metric.</param>
/// <param name="FromMs">Window start, Unix ms.</param>
/// <param name="ToMs">Window end, Unix ms.</param>
/// <param name="Thresholds">The rule's limits, lowest first.</param>
public sealed record TrendPlan(string? Metric, string Unit, bool Falling, IReadOnlyList<string> Devices, string? District, long FromMs, long ToMs,
    IReadOnlyList<TrendThreshold> Thresholds)
{
    /// <summary>Series read at most (a district alert's member devices beyond are left out).</summary>
    public const int MaxSeries = 20;

    /// <summary>The window starts this long before the raise.</summary>
    public static readonly TimeSpan Before = TimeSpan.FromMinutes(10);

    /// <summary>The window ends this long after the clear (or the raise, for an alert that cleared sooner), and never after now.</summary>
    public static readonly TimeSpan After = TimeSpan.FromMinutes(5);

    /// <summary>The window is at most this long: an alert active for days shows its first hours.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(6);

    /// <summary>The plan for <paramref name="alert"/> with the options in force for its district (<paramref name="districtOptions"/>), at <paramref name="nowMs"/>.</summary>
    public static TrendPlan For(AlertSummary alert, DetectionOptions districtOptions, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(districtOptions);
        var districtAlert = alert.Source == alert.District;
        var options = districtAlert ? districtOptions : ForDevice(districtOptions, alert.Source, alert.DeviceKind);
        var (metric, unit, falling, thresholds) = Rule(alert.Condition, options);

        var from = alert.RaisedAtMs - (long)Before.TotalMilliseconds;
        var end = Math.Max(alert.ClearedAtMs ?? nowMs, alert.RaisedAtMs) + (long)After.TotalMilliseconds;
        var to = Math.Min(Math.Min(nowMs, end), from + (long)Longest.TotalMilliseconds);
        to = Math.Max(to, alert.RaisedAtMs + 1);

        IReadOnlyList<string> devices = districtAlert ? [.. (alert.Devices ?? []).Take(MaxSeries)] : [alert.Source];
        return new TrendPlan(metric, unit, falling, devices, districtAlert && devices.Count == 0 ? alert.District : null, from, to, thresholds);
    }

    // The city's options changed by the device's kind's entry, then its own (DetectionOverrides: district, kind, device).
    private static DetectionOptions ForDevice(DetectionOptions options, string device, string kindName)
    {
        if (DeviceKinds.TryParse(kindName, out var kind) && options.Overrides.Kinds.TryGetValue(kind, out var byKind))
        {
            options = byKind(options);
        }

        return options.Overrides.Devices.TryGetValue(device, out var byDevice) ? byDevice(options) : options;
    }

    private static (string? Metric, string Unit, bool Falling, IReadOnlyList<TrendThreshold> Thresholds) Rule(string condition, DetectionOptions o)
    {
        if (!AlertConditions.TryParse(condition, out var c))
        {
            return (null, "", false, []);
        }

        return c switch
        {
            AlertCondition.MethaneHigh => ("lel", "%LEL", false,
            [
                new("clears below", o.Methane.Level1Lel - o.Methane.DeadbandLel, null),
                new("level 1", o.Methane.Level1Lel, AlertSeverity.High),
                new("level 2", o.Methane.Level2Lel, AlertSeverity.Critical),
            ]),
            AlertCondition.LowPressure => ("pressure", "MPa", true,
            [
                new("alarm below", o.Water.LowPressure.MinimumMpa, AlertSeverity.High),
                new("clears above", o.Water.LowPressure.MinimumMpa + (o.Water.LowPressure.SpanMpa * o.Water.LowPressure.DeadbandPercentOfSpan / 100), null),
            ]),
            AlertCondition.FireWaterPressureLow => ("pressure", "MPa", true,
            [
                new("alarm below", o.Fire.WaterPressure.MinimumMpa, AlertSeverity.High),
                new("clears above", o.Fire.WaterPressure.MinimumMpa + o.Fire.WaterPressure.DeadbandMpa, null),
            ]),
            AlertCondition.ResidualCurrent => ("residual_ma", "mA", false,
            [
                new("pre-alarm", o.Fire.Electrical.ResidualSetPointMa * o.Fire.Electrical.ResidualPreAlarmFraction, AlertSeverity.Medium),
                new("alarm", o.Fire.Electrical.ResidualSetPointMa, AlertSeverity.High),
            ]),
            AlertCondition.CircuitTemperature => ("temp", "°C", false,
            [
                new("clears below", o.Fire.Electrical.TemperatureSetPointC - o.Fire.Electrical.TemperatureDeadbandC, null),
                new("alarm", o.Fire.Electrical.TemperatureSetPointC, AlertSeverity.High),
            ]),
            AlertCondition.LowBattery => ("battery", "V", true,
            [
                new("alarm below", o.Health.LowBatteryVolts, AlertSeverity.Low),
                new("clears above", o.Health.LowBatteryVolts + o.Health.BatteryDeadbandVolts, null),
            ]),
            AlertCondition.ReservoirLevel => ("level", "m", false, []),
            AlertCondition.HeavyRain => ("rain", "mm", false, []),
            AlertCondition.MeterMicroLeak or AlertCondition.MeterRupture or AlertCondition.MeterLongUse => ("flow", "m³/h", false, []),
            AlertCondition.PipeBurst or AlertCondition.NightFlowRise or AlertCondition.InletLeak => ("water_flow", "m³/h", false, []),
            _ => (null, "", false, []),
        };
    }
}

/// <summary>One limit of the rule behind an alert, drawn as a line on the trend chart.</summary>
/// <param name="Name">What the limit is (<c>level 1</c>, <c>alarm below</c>, <c>clears below</c>).</param>
/// <param name="Value">The limit, in the metric's unit.</param>
/// <param name="Severity">The severity raised at it; null for a clearing limit (hysteresis).</param>
public sealed record TrendThreshold(string Name, double Value, AlertSeverity? Severity);

/// <summary>One device's values in the window.</summary>
/// <param name="Device">Device id.</param>
/// <param name="Times">Event times, Unix ms, ascending.</param>
/// <param name="Values">The values at <paramref name="Times"/>.</param>
public sealed record TrendSeries(string Device, long[] Times, double[] Values);

/// <summary>The body of <c>GET /api/alerts/{id}/trend</c>.</summary>
/// <param name="AlertId">The alert.</param>
/// <param name="Condition">Its condition.</param>
/// <param name="Metric">The metric shown; null when the condition has no measured value.</param>
/// <param name="Unit">The metric's unit.</param>
/// <param name="Resolution"><c>raw</c> (every stored reading), <c>1m max</c> / <c>1m min</c> (the store's minute aggregates, when raw readings of the devices are not stored), or <c>none</c>.</param>
/// <param name="FromMs">Window start, Unix ms.</param>
/// <param name="ToMs">Window end, Unix ms.</param>
/// <param name="RaisedAtMs">Raise time (event time), Unix ms.</param>
/// <param name="ClearedAtMs">Clear time, Unix ms; null while active.</param>
/// <param name="Thresholds">The rule's limits.</param>
/// <param name="Series">The devices' values, by device id.</param>
public sealed record AlertTrend(string AlertId, string Condition, string? Metric, string Unit, string Resolution, long FromMs, long ToMs,
    long RaisedAtMs, long? ClearedAtMs, IReadOnlyList<TrendThreshold> Thresholds, IReadOnlyList<TrendSeries> Series);
