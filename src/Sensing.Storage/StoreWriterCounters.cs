namespace Sensing.Storage;

/// <summary>A snapshot of <see cref="StoreWriter"/>'s counters since it was created.</summary>
/// <param name="PointsWritten">Lines the store accepted (2xx).</param>
/// <param name="BatchesWritten">Batches the store accepted.</param>
/// <param name="Retries">Attempts repeated after a 5xx, 408, 429, connection error, timeout or open circuit.</param>
/// <param name="Outages">Times a batch used up its retries; it was kept and sending paused until the next flush.</param>
/// <param name="FailedBatches">Batches dropped: rejected by the store (4xx), or still unsent when disposed.</param>
/// <param name="SkippedNonFiniteFields">NaN/infinite fields skipped by the encoder.</param>
/// <param name="DroppedLines">Points dropped by the encoder because every field was non-finite.</param>
public readonly record struct StoreWriterCounters(
    long PointsWritten,
    long BatchesWritten,
    long Retries,
    long Outages,
    long FailedBatches,
    long SkippedNonFiniteFields,
    long DroppedLines)
{
    /// <summary>Times the circuit breaker opened because the store kept failing.</summary>
    public long CircuitBreaks { get; init; }
}
