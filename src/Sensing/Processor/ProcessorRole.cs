namespace Sensing.Processor;

/// <summary>What a processor does with the readings it consumes (<c>sensing processor --role</c>).</summary>
public enum ProcessorRole
{
    /// <summary>
    /// Detects and writes the store: a batch's offsets are committed once its alert events, commands, dead letters,
    /// store lines and checkpoints are all durable. A slow or stopped store holds detection back.
    /// </summary>
    All,

    /// <summary>
    /// Detects only: alert events, device commands, dead letters and checkpoints; nothing is written to the store, so
    /// the store never holds an alert back. Runs beside <see cref="Store"/> processors in a consumer group of its own.
    /// </summary>
    Detect,

    /// <summary>
    /// The store sink: writes every reading (minute aggregates, raw samples) and every alert event of
    /// <c>sensing.alerts</c> to the store, and raises nothing. Its offsets are committed once the store has the lines;
    /// no checkpoints (it holds no detection state). Records the detecting processors dead-letter are skipped here.
    /// </summary>
    Store,
}
