using Sensing.Core.Devices;

namespace Sensing.Processor;

/// <summary>What a processor has done since it started.</summary>
public sealed class ProcessorCounters
{
    private long _consumed;
    private long _processed;
    private long _deadLettered;
    private long _alertEvents;
    private long _batches;
    private long _storeRetries;
    private long _commands;
    private long _checkpoints;
    private long _checkpointSnapshotBytes;
    private long _checkpointStoredBytes;
    private long _checkpointTicks;
    private long _commitsRefused;
    private long _holdBacks;
    private long _rulesApplied;
    private long _rulesRejected;
    private long _repairsApplied;

    // Indexed by the kind's byte value: counted without allocation, read at export.
    private readonly long[] _processedByKind = new long[byte.MaxValue + 1];
    private readonly long[] _deadLetteredByReason = new long[Enum.GetValues<ProcessorDeadLetterReason>().Length];

    // Records behind per owned telemetry partition; replaced as a whole every few seconds by the consuming thread.
    private IReadOnlyDictionary<int, long> _lag = new Dictionary<int, long>();

    /// <summary>Records read from the telemetry topic.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Readings that went through detection.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Records that were not valid frames of a registered device (sent to the dead-letter topic).</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Records sent to the dead-letter topic for <paramref name="reason"/>.</summary>
    public long DeadLetteredFor(ProcessorDeadLetterReason reason) => Interlocked.Read(ref _deadLetteredByReason[(int)reason]);

    /// <summary>
    /// Records behind per telemetry partition this processor owns (high watermark minus position), as last measured;
    /// partitions not measured yet are missing.
    /// </summary>
    public IReadOnlyDictionary<int, long> Lag => Volatile.Read(ref _lag);

    /// <summary>Alert lifecycle events published.</summary>
    public long AlertEvents => Interlocked.Read(ref _alertEvents);

    /// <summary>Batches completed and committed.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Times a batch had to wait for the store to come back.</summary>
    public long StoreRetries => Interlocked.Read(ref _storeRetries);

    /// <summary>Device commands (e.g. valve-close) published to the commands topic.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>Readings of devices of <paramref name="kind"/> that went through detection.</summary>
    public long ProcessedOf(DeviceKind kind) => Interlocked.Read(ref _processedByKind[(byte)kind]);

    /// <summary>Partition checkpoints written to the checkpoints topic and acknowledged.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Bytes of detection state snapshotted for checkpoints, before compression.</summary>
    public long CheckpointSnapshotBytes => Interlocked.Read(ref _checkpointSnapshotBytes);

    /// <summary>Bytes of checkpoint chunks handed to the producer (compressed snapshot and headers).</summary>
    public long CheckpointStoredBytes => Interlocked.Read(ref _checkpointStoredBytes);

    /// <summary>Time the consume thread spent taking checkpoints (snapshot, compression, chunks).</summary>
    public TimeSpan CheckpointTime => TimeSpan.FromTicks(Interlocked.Read(ref _checkpointTicks));

    /// <summary>Offset commits the group refused (e.g. no coordinator after a broker restart); the batch was replayed or covered by a later commit.</summary>
    public long CommitsRefused => Interlocked.Read(ref _commitsRefused);

    /// <summary>Times the consume loop paused its partitions because the batch writer was full (a slow or stopped store).</summary>
    public long HoldBacks => Interlocked.Read(ref _holdBacks);

    internal void AddHoldBack() => Interlocked.Increment(ref _holdBacks);

    /// <summary>Changed rules files applied to the running detection engine.</summary>
    public long RulesApplied => Interlocked.Read(ref _rulesApplied);

    /// <summary>Changed rules files not applied (a bad file, or a change that needs a restart); the rules in force stayed.</summary>
    public long RulesRejected => Interlocked.Read(ref _rulesRejected);

    internal void AddRulesApplied() => Interlocked.Increment(ref _rulesApplied);

    /// <summary>"Repaired" reports of <c>sensing.alerts</c> applied to the detection engine (each once per state that takes it).</summary>
    public long RepairsApplied => Interlocked.Read(ref _repairsApplied);

    internal void AddRepairApplied() => Interlocked.Increment(ref _repairsApplied);

    internal void AddRulesRejected() => Interlocked.Increment(ref _rulesRejected);

    internal void AddCommitRefused() => Interlocked.Increment(ref _commitsRefused);

    internal void AddConsumed() => Interlocked.Increment(ref _consumed);

    internal void AddProcessed(DeviceKind kind)
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Increment(ref _processedByKind[(byte)kind]);
    }

    internal void AddDeadLettered(ProcessorDeadLetterReason reason)
    {
        Interlocked.Increment(ref _deadLettered);
        Interlocked.Increment(ref _deadLetteredByReason[(int)reason]);
    }

    internal void SetLag(IReadOnlyDictionary<int, long> lag) => Volatile.Write(ref _lag, lag);

    internal void ForgetLag(IReadOnlyList<int> partitions)
    {
        var lag = new Dictionary<int, long>(Lag);
        foreach (var partition in partitions)
        {
            lag.Remove(partition);
        }

        SetLag(lag);
    }

    internal void AddAlertEvent() => Interlocked.Increment(ref _alertEvents);

    internal void AddBatches(int count) => Interlocked.Add(ref _batches, count);

    internal void AddStoreRetry() => Interlocked.Increment(ref _storeRetries);

    internal void AddCommand() => Interlocked.Increment(ref _commands);

    internal void AddCheckpoints(int count) => Interlocked.Add(ref _checkpoints, count);

    internal void AddCheckpointTaken(long snapshotBytes, long storedBytes, TimeSpan took)
    {
        Interlocked.Add(ref _checkpointSnapshotBytes, snapshotBytes);
        Interlocked.Add(ref _checkpointStoredBytes, storedBytes);
        Interlocked.Add(ref _checkpointTicks, took.Ticks);
    }
}
