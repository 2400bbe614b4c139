namespace Sensing.Kafka;

/// <summary>The Kafka topics of the pipeline and their partition counts.</summary>
public sealed record SensingTopics
{
    /// <summary>The standard names.</summary>
    public static SensingTopics Default { get; } = new();

    /// <summary>
    /// Every reading, keyed by the device's district (one device, one key, one partition, order kept; a district on one
    /// partition, so on one processor; docs/gateway.md). A device without a district is keyed by its id.
    /// </summary>
    public string Telemetry { get; init; } = "sensing.telemetry";

    /// <summary>Payloads that did not decode, with the device and the reason.</summary>
    public string DeadLetter { get; init; } = "sensing.deadletter";

    /// <summary>Every alert lifecycle event, keyed by alert id.</summary>
    public string Alerts { get; init; } = "sensing.alerts";

    /// <summary>Commands to devices (e.g. close a gas meter's valve), keyed by device id.</summary>
    public string Commands { get; init; } = "sensing.commands";

    /// <summary>
    /// A device's acknowledgement of a command, written by the gateway that delivered it and keyed by the command id;
    /// compacted. Every gateway reads it beside <see cref="Commands"/> to know which commands are still pending for a
    /// device, whichever gateway it connects to next.
    /// </summary>
    public string CommandAcks { get; init; } = "sensing.command-acks";

    /// <summary>
    /// Processor checkpoints: per telemetry partition, the next offset and the detection state that reflects it,
    /// keyed by the partition. Compacted (<see cref="ConfigOf"/>), so only each partition's latest is kept.
    /// </summary>
    public string Checkpoints { get; init; } = "sensing.checkpoints";

    /// <summary>
    /// The device registry, the source of truth for every gateway and processor: one record per device keyed by its
    /// id, its registry line as the value (<c>DeviceRegistryFile.FormatLine</c>), a tombstone (null value) for a removed
    /// device. Compacted, so it holds each device's latest entry; one partition, so it is read in the order written.
    /// </summary>
    public string Devices { get; init; } = "sensing.devices";

    /// <summary>Administrative changes (to the device registry), keyed by what they changed, one JSON record each: who, when, what.</summary>
    public string Audit { get; init; } = "sensing.audit";

    /// <summary>Partitions of the telemetry topic: the most processors that can share the load.</summary>
    public int TelemetryPartitions { get; init; } = 6;

    /// <summary>All topics with the partition count each should be created with.</summary>
    public IReadOnlyList<(string Name, int Partitions)> All =>
        [(Telemetry, TelemetryPartitions), (DeadLetter, 1), (Alerts, 3), (Commands, 3), (CommandAcks, 1), (Checkpoints, 1), (Devices, 1), (Audit, 1)];

    /// <summary>
    /// Topic-level settings a topic must be created with (Kafka topic configs, e.g. <c>cleanup.policy=compact</c>
    /// for <see cref="Checkpoints"/>, <see cref="Devices"/> and <see cref="CommandAcks"/>); empty for the others.
    /// </summary>
    public IReadOnlyList<string> ConfigOf(string topic) =>
        topic == Checkpoints || topic == Devices || topic == CommandAcks ? ["cleanup.policy=compact"] : [];

    internal void Validate()
    {
        foreach (var (name, partitions) in All)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > 249 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            {
                throw new ArgumentException($"kafka.topics: '{name}' is not a valid Kafka topic name");
            }

            if (partitions is < 1 or > 1024)
            {
                throw new ArgumentException($"kafka.topics: {name} partitions must be 1-1024, not {partitions}");
            }
        }
    }
}
