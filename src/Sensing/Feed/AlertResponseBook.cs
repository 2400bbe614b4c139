using System.Collections.Concurrent;
using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Rules;

namespace Sensing.Feed;

/// <summary>
/// The response text the feed shows with an alert: the rules file's (<see cref="FeedOptions.Rules"/>, its district's
/// entry over the city's) or the built-in default (<see cref="AlertResponses.Default"/>), with its placeholders filled
/// from the alert, the registry (<c>{building}</c>) and the rules (<c>{valveCommand}</c>: whether a rupture closed the
/// meter's valve). Options per district are resolved once and kept; <see cref="FeedRulesFollower"/> hands over the file
/// when it changes.
/// </summary>
public sealed class AlertResponseBook
{
    private readonly FeedRegistry? _registry;
    private volatile Rules _rules;

    /// <summary>A book over <paramref name="options"/>' rules (the defaults without a rules file).</summary>
    public AlertResponseBook(FeedOptions options, FeedRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rules = new Rules(options.Rules?.Detection ?? DetectionOptions.Default);
        _registry = registry;
    }

    /// <summary>Takes the response texts of <paramref name="rules"/> from now on (the rules file read again).</summary>
    public void Use(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = new Rules(rules.Detection);
    }

    /// <summary>The detection options in force for <paramref name="district"/>: the rules file's (or the defaults), with the district's override.</summary>
    public DetectionOptions OptionsOf(string district) => _rules.OptionsOf(district);

    /// <summary><paramref name="alert"/> with <see cref="AlertSummary.Response"/> set.</summary>
    public AlertSummary Annotate(AlertSummary alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert with { Response = For(alert) };
    }

    /// <summary>The filled response text for <paramref name="alert"/>; empty for a condition the feed does not know.</summary>
    public string For(AlertSummary alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!AlertConditions.TryParse(alert.Condition, out var condition))
        {
            return "";
        }

        var rules = _rules;
        var district = rules.OptionsOf(alert.District);
        var text = district.Responses.For(condition, alert.Severity);
        return AlertResponses.Fill(text, name => name switch
        {
            "source" => alert.Source,
            "district" => alert.District.Length > 0 ? alert.District : "(no district)",
            "building" => BuildingOf(alert, condition),
            "raisedAt" => LocalTime(rules.City, alert.RaisedAtMs),
            "value" => Number(alert.Value),
            "peak" => Number(alert.PeakValue),
            "valveCommand" => condition == AlertCondition.MeterRupture ? ValveCommand(rules.City, alert, district) : "",
            _ => null,
        });
    }

    // The meter's own options decide whether its rupture sent a valve-close: its kind's and its own entries over its district's.
    private static string ValveCommand(DetectionOptions city, AlertSummary alert, DetectionOptions district)
    {
        var options = district;
        if (city.Overrides.Kinds.TryGetValue(DeviceKind.GasMeter, out var kind))
        {
            options = kind(options);
        }

        if (city.Overrides.Devices.TryGetValue(alert.Source, out var device))
        {
            options = device(options);
        }

        return options.GasMeter.CloseValveOnRupture
            ? $"The valve-close command was sent at {LocalTime(city, alert.RaisedAtMs)}: check that the meter reports its valve closed (a valve-fault alert follows if it does not)."
            : "No valve-close command was sent (gasMeter.closeValveOnRupture is off): have the crew close the valve on site.";
    }

    private string BuildingOf(AlertSummary alert, AlertCondition condition)
    {
        // A fire-water alert's source is the building itself.
        if (condition == AlertCondition.FireWaterPressureLow)
        {
            return alert.Source;
        }

        return _registry?.Admin?.Registry is { } registry && registry.TryFind(alert.Source, out var device)
            && device.Parameters.TryGet("building", out var building) && building.Length > 0
            ? building
            : "its building";
    }

    private static string LocalTime(DetectionOptions city, long unixMs)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), city.TimeZone);
        return local.ToString("yyyy-MM-dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture);
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    // One reading of the rules: the city's options and each district's, resolved once and kept.
    private sealed class Rules(DetectionOptions city)
    {
        private readonly ConcurrentDictionary<string, DetectionOptions> _districts = new(StringComparer.Ordinal);

        public DetectionOptions City => city;

        public DetectionOptions OptionsOf(string district) =>
            district.Length == 0 || !city.Overrides.Districts.TryGetValue(district, out var change)
                ? city
                : _districts.GetOrAdd(district, _ => change(city));
    }
}
