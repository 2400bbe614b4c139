namespace Sensing.Simulators.Replay;

/// <summary>One recorded value: a sensor's value at a time.</summary>
/// <param name="TimeMs">Event time, Unix ms.</param>
/// <param name="ReceivedMs">When it was received, Unix ms; equal to <paramref name="TimeMs"/> when the recording does not say.</param>
/// <param name="Sensor">Sensor name: a map entry, or <c>device/metric</c>.</param>
/// <param name="Value">The value, in the metric's unit.</param>
/// <param name="Line">Line number in the file it came from (for error messages).</param>
public readonly record struct RecordedRow(long TimeMs, long ReceivedMs, string Sensor, double Value, int Line);

/// <summary>The two CSV forms of recorded data.</summary>
public enum RecordingFormat
{
    /// <summary><c>timestamp,sensor,value</c> (optionally a fourth column <c>received</c>).</summary>
    Long,
    /// <summary><c>timestamp,&lt;sensor&gt;,&lt;sensor&gt;...</c>: one row per time, one column per sensor, empty cells for no value.</summary>
    Wide,
}
