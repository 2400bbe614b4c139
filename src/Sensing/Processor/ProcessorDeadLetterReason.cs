namespace Sensing.Processor;

/// <summary>Why the processor sent a telemetry record to the dead-letter topic.</summary>
public enum ProcessorDeadLetterReason
{
    /// <summary>The record is not a valid telemetry frame.</summary>
    BadFrame,

    /// <summary>The frame's device is not in the registry.</summary>
    UnregisteredDevice,
}
