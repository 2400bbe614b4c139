using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// A batch the consume loop has finished with: the Kafka deliveries it started (alert events, device commands,
/// dead letters), its store lines, its checkpoints and the offsets it covers. The <see cref="BatchWriter"/> makes it
/// durable; its offsets are committed only after that.
/// </summary>
internal sealed class CompletedBatch
{
    /// <summary>Alert events of the batch, in the order of <see cref="AlertDeliveries"/>.</summary>
    public List<AlertEvent> Alerts { get; } = [];

    /// <summary>The broker's answers for <see cref="Alerts"/>.</summary>
    public List<Task<DeliveryOutcome>> AlertDeliveries { get; } = [];

    /// <summary>The broker's answers for the batch's device commands.</summary>
    public List<Task<DeliveryOutcome>> CommandDeliveries { get; } = [];

    /// <summary>The broker's answers for the batch's dead letters.</summary>
    public List<Task<DeliveryOutcome>> DeadLetterDeliveries { get; } = [];

    /// <summary>The batch's store lines (aggregates, raw samples, alert events).</summary>
    public EncodedLines Lines { get; set; }

    /// <summary>Checkpoint records (key, value) to write once the lines are stored.</summary>
    public List<(byte[] Key, byte[] Value)> Checkpoints { get; } = [];

    /// <summary>Next offset to read per telemetry partition, once the batch is durable.</summary>
    public Dictionary<int, long> Offsets { get; } = [];

    /// <summary>True when there is nothing to make durable and no offset to commit.</summary>
    public bool IsEmpty => Offsets.Count == 0 && Alerts.Count == 0 && CommandDeliveries.Count == 0;

    /// <summary>Empties the batch for reuse (its lines must have been returned).</summary>
    public void Clear()
    {
        Alerts.Clear();
        AlertDeliveries.Clear();
        CommandDeliveries.Clear();
        DeadLetterDeliveries.Clear();
        Lines = default;
        Checkpoints.Clear();
        Offsets.Clear();
    }
}
