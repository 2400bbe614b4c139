namespace Sensing.Core.Payloads;

/// <summary>Why a device payload did not decode. The name is the reason recorded on the dead-letter topic.</summary>
public enum PayloadError : byte
{
    None = 0,
    /// <summary>Not well-formed JSON.</summary>
    MalformedJson,
    /// <summary>The top level is not a JSON object.</summary>
    NotAnObject,
    /// <summary>No <c>seq</c> field: every reading must carry the device's sequence number.</summary>
    MissingSequence,
    /// <summary><c>seq</c> is not a non-negative whole number.</summary>
    BadSequence,
    /// <summary><c>ts</c> is neither Unix milliseconds nor an ISO 8601 date-time.</summary>
    BadTimestamp,
    /// <summary>A metric's value is not a finite number (or a known status/error name).</summary>
    BadValue,
    /// <summary>More metrics than a reading can carry.</summary>
    TooManyMetrics,
    /// <summary>The object carries no metric at all.</summary>
    NoMetrics,
    /// <summary>Nested objects or arrays are not part of the reading format.</summary>
    UnexpectedNesting,
    /// <summary>A binary reading shorter than its header or than its metric count says.</summary>
    BinaryTruncated,
    /// <summary>A binary reading with bytes after its last metric.</summary>
    BinaryTrailingBytes,
    /// <summary>A binary reading naming a metric code that does not exist.</summary>
    UnknownMetric,
    /// <summary>A concentrator payload that is neither a JSON array of reading objects nor a 0xB2 binary batch.</summary>
    NotABatch,
    /// <summary>A concentrator payload with no item.</summary>
    EmptyBatch,
    /// <summary>A concentrator item without a valid device id (JSON <c>device</c>, or the binary item's id).</summary>
    MissingDevice,
    /// <summary>A concentrator item for a device the registry does not hold.</summary>
    UnknownDevice,
    /// <summary>A concentrator item for a device the concentrator's registry entry does not serve.</summary>
    NotServedByConcentrator,
}
