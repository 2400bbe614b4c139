using System.Text.Json.Serialization;

namespace Sensing.Core.Commands;

/// <summary>
/// A command for one device, as published on <c>sensing.commands</c> (JSON, keyed by <see cref="Device"/>) and
/// delivered by the gateway as the payload of a PUBLISH on the device's downlink topic <c>sensing/{device}/down</c>.
/// </summary>
public sealed record DeviceCommand
{
    /// <summary>Deterministic command id (the same command from a replay has the same id).</summary>
    public required string Id { get; init; }

    /// <summary>The device the command is for.</summary>
    public required string Device { get; init; }

    /// <summary>What to do: one of <see cref="DeviceCommandNames"/>.</summary>
    public required string Command { get; init; }

    /// <summary>Event time the command was decided at, Unix ms.</summary>
    public required long IssuedAtMs { get; init; }

    /// <summary>The alert that caused the command, if any.</summary>
    public string? AlertId { get; init; }

    /// <summary>Why, for the device's log and the operator.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>Command names devices understand.</summary>
public static class DeviceCommandNames
{
    /// <summary>Close a gas meter's shut-off valve.</summary>
    public const string ValveClose = "valve-close";

    /// <summary>Open a gas meter's shut-off valve.</summary>
    public const string ValveOpen = "valve-open";
}

/// <summary>
/// A device acknowledged command <see cref="CommandId"/> (its PUBACK, or the send of a QoS 0 downlink), as a gateway
/// writes it to <c>sensing.command-acks</c>, keyed by the command id: no gateway delivers that command again.
/// </summary>
public sealed record DeviceCommandAck
{
    /// <summary>The command acknowledged (<see cref="DeviceCommand.Id"/>).</summary>
    public required string CommandId { get; init; }

    /// <summary>The device that acknowledged it.</summary>
    public required string Device { get; init; }

    /// <summary>The gateway the device acknowledged it on.</summary>
    public required string Gateway { get; init; }

    /// <summary>When, Unix ms (the gateway's clock).</summary>
    public required long AcknowledgedAtMs { get; init; }
}

/// <summary>System.Text.Json source generation for commands.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(DeviceCommandAck))]
public sealed partial class DeviceCommandJsonContext : JsonSerializerContext;
