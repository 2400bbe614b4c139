using System.Text.Json.Serialization;

namespace Sensing.Core.Alerts;

/// <summary>
/// One lifecycle step of an alert, as published on <c>sensing.alerts</c> (JSON, keyed by <see cref="Id"/>).
/// Self-contained: a consumer rebuilds the full alert state from these records alone.
/// </summary>
public sealed record AlertEvent
{
    /// <summary>Deterministic alert id (<see cref="AlertId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>Which lifecycle step this is.</summary>
    public required AlertEventType Type { get; init; }

    /// <summary>The device id (or district name for district alerts) the alert is about.</summary>
    public required string Source { get; init; }

    /// <summary>Condition name (<see cref="AlertConditions"/>), e.g. <c>gas.methane-high</c>.</summary>
    public required string Condition { get; init; }

    /// <summary>Current severity.</summary>
    public required AlertSeverity Severity { get; init; }

    /// <summary>District of the source.</summary>
    public string District { get; init; } = "";

    /// <summary>Device kind name of the source (empty for district alerts).</summary>
    public string DeviceKind { get; init; } = "";

    /// <summary>Event time at which the alert was raised, Unix ms.</summary>
    public required long RaisedAtMs { get; init; }

    /// <summary>Event time of the reading that caused this step, Unix ms.</summary>
    public required long EventTimeMs { get; init; }

    /// <summary>Event time at which the alert cleared, Unix ms; null while active.</summary>
    public long? ClearedAtMs { get; init; }

    /// <summary>The measured value behind this step (e.g. %LEL).</summary>
    public double Value { get; init; }

    /// <summary>Highest value seen while active.</summary>
    public double PeakValue { get; init; }

    /// <summary>How many readings confirmed the condition while active.</summary>
    public int Count { get; init; }

    /// <summary>Human-readable summary for the operator.</summary>
    public string Message { get; init; } = "";

    /// <summary>For district alerts: the devices whose readings make up the incident; null otherwise.</summary>
    public string[]? Devices { get; init; }

    /// <summary>For operator actions: who acted (the API key's name); null otherwise.</summary>
    public string? Actor { get; init; }

    /// <summary>For operator actions: the operator's note; null otherwise.</summary>
    public string? Note { get; init; }

    /// <summary>For <see cref="AlertEventType.Shelved"/>: when the shelve ends, Unix ms.</summary>
    public long? ShelvedUntilMs { get; init; }

    /// <summary>
    /// Wall-clock time at which a gateway took in the reading whose processing made this step (the telemetry frame's
    /// ingest time), Unix ms: the start of the sensor-to-alert latency. Null for steps made by the passing of time
    /// (a device gone silent) and for operator actions.
    /// </summary>
    public long? IngestTimeMs { get; init; }
}

/// <summary>System.Text.Json source generation for alert records (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlertEvent))]
[JsonSerializable(typeof(AlertEvent[]))]
public sealed partial class AlertJsonContext : JsonSerializerContext;
