namespace Sensing.Processor;

/// <summary>Settings of the stream processor.</summary>
public sealed record ProcessorOptions
{
    /// <summary>Defaults.</summary>
    public static ProcessorOptions Default { get; } = new();

    /// <summary>Kafka consumer group shared by every processor instance of one city.</summary>
    public string GroupId { get; init; } = "sensing-processor";

    /// <summary>
    /// What this processor does with each reading: <see cref="ProcessorRole.All"/> (the default) detects and writes the
    /// store; a city that must not let the store hold back its alerts runs <see cref="ProcessorRole.Detect"/> processors
    /// beside <see cref="ProcessorRole.Store"/> ones (each kind its own consumer group).
    /// </summary>
    public ProcessorRole Role { get; init; } = ProcessorRole.All;

    /// <summary>Most readings processed between two offset commits.</summary>
    public int MaxBatch { get; init; } = 5_000;

    /// <summary>Longest a batch waits to fill before it is completed and committed.</summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most completed batches handed to the background writer and not yet durable (Kafka acknowledgements, store
    /// write, checkpoints). While that many are in flight the processor pauses its partitions and only polls. Default 2.
    /// </summary>
    public int MaxBatchesInFlight { get; init; } = 2;

    /// <summary>Also store every raw reading (not only alerts); off for very large fleets.</summary>
    public bool StoreRawReadings { get; init; } = true;

    /// <summary>
    /// How often, in wall time, the detection engine's event time is moved on to the watermark (offline devices,
    /// chargers out of service too long). Default 1 s.
    /// </summary>
    public TimeSpan AdvanceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Write a checkpoint (next offset + detection state) per owned partition to <c>sensing.checkpoints</c> before
    /// committing offsets, and start from it when a partition is assigned. Default on.
    /// </summary>
    public bool Checkpoints { get; init; } = true;

    /// <summary>
    /// Least wall time between two checkpoints; zero (the default) writes one at every commit, so a restart
    /// replays nothing already published. A longer interval costs less but replays, after a crash, the records
    /// since the last checkpoint (their alert events are published again, identical by id).
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Largest record of a checkpoint, header included: a partition's state is split into records of at most this
    /// size. Default 512 KiB, half of Kafka 0.9's default <c>message.max.bytes</c> (1,000,012); at most 900 KiB.
    /// </summary>
    public int CheckpointChunkBytes { get; init; } = 512 * 1024;

    /// <summary>
    /// Longest a newly assigned partition's checkpoint may take to read; past it the processor stops rather than start
    /// without its state. Default 60 s: a broker restarted after a crash takes its partitions back some seconds after it
    /// answers, and the clients see the topics again at their next metadata refresh (10 s); with 10 s both detecting
    /// processors of a fault run stopped at the rebalance that followed a broker kill.
    /// </summary>
    public TimeSpan CheckpointReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often, in wall time, the consumer lag per partition (<c>sensing.processor.lag</c>) is measured from the
    /// client's latest fetch responses. Default 5 s.
    /// </summary>
    public TimeSpan LagInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often, in wall time, the rules file (<c>--rules</c>) is read for changes; a change is applied once two reads
    /// in a row agree. Default 2 s.
    /// </summary>
    public TimeSpan RulesPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public ProcessorOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new ArgumentException("processor.groupId: must not be empty");
        }

        if (MaxBatch is < 1 or > 1_000_000)
        {
            throw new ArgumentException("processor.maxBatch: must be 1-1000000");
        }

        if (MaxBatchesInFlight is < 1 or > 64)
        {
            throw new ArgumentException("processor.maxBatchesInFlight: must be 1-64");
        }

        if (MaxBatchWait <= TimeSpan.Zero || MaxBatchWait > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException("processor.maxBatchWait: must be between 0 and 1 minute");
        }

        if (AdvanceInterval <= TimeSpan.Zero || AdvanceInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("processor.advanceInterval: must be between 0 and 10 minutes");
        }

        if (CheckpointInterval < TimeSpan.Zero || CheckpointInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("processor.checkpointInterval: must be between 0 and 1 hour");
        }

        if (CheckpointChunkBytes is < 4096 or > 900 * 1024)
        {
            throw new ArgumentException("processor.checkpointChunkBytes: must be 4096-921600 (Kafka 0.9 takes records up to 1,000,012 bytes by default)");
        }

        if (CheckpointReadTimeout <= TimeSpan.Zero || CheckpointReadTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException("processor.checkpointReadTimeout: must be between 0 and 5 minutes");
        }

        if (LagInterval < TimeSpan.FromMilliseconds(100) || LagInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("processor.lagInterval: must be between 100 ms and 10 minutes");
        }

        if (RulesPollInterval < TimeSpan.FromMilliseconds(100) || RulesPollInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("processor.rulesPollInterval: must be between 100 ms and 10 minutes");
        }

        return this;
    }
}
