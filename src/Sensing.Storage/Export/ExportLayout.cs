using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sensing.Core.Telemetry;

namespace Sensing.Storage.Export;

/// <summary>
/// The columns of one export kind and where each comes from in the store: <c>time</c> (timestamp ms UTC, never
/// null), tag columns (utf8, null when the label is missing) and value columns (float64, or int64 for counts, null
/// when the store lacks that field). VictoriaMetrics stores each line-protocol field as its own series, so a row is
/// the join of several series that share time and key tags; the series name says which value column it fills.
/// </summary>
internal abstract class ExportLayout
{
    private readonly byte[]?[] _tagLabels;

    private protected ExportLayout(
        string namePattern, (string Column, string? Label)[] tags, int keyTags, int[] sortTags, (string Column, bool IsCount)[] values,
        string? kindPattern = null, (string Column, int Value, uint Mask)[]? flags = null)
    {
        NamePattern = namePattern;
        KindPattern = kindPattern;
        Flags = flags ?? [];
        TagCount = tags.Length;
        KeyTags = keyTags;
        SortTags = sortTags;
        ValueIsCount = [.. values.Select(v => v.IsCount)];
        _tagLabels = [.. tags.Select(t => t.Label is null ? null : Encoding.UTF8.GetBytes(t.Label))];
        Schema = new Schema(
            [
                new Field("time", new TimestampType(TimeUnit.Millisecond, "UTC"), nullable: false),
                .. tags.Select(t => new Field(t.Column, StringType.Default, nullable: true)),
                .. values.Select(v => new Field(v.Column, v.IsCount ? Int64Type.Default : DoubleType.Default, nullable: true)),
                .. Flags.Select(f => new Field(f.Column, BooleanType.Default, nullable: true)),
            ],
            metadata: null);
    }

    /// <summary>One-minute aggregates, one row per device, metric and minute.</summary>
    public static ExportLayout Aggregates { get; } = new AggregateLayout();

    /// <summary>Alert lifecycle events, one row per alert and step.</summary>
    public static ExportLayout Alerts { get; } = new AlertLayout();

    /// <summary>The fire-safety devices' one-minute aggregates side by side, one row per device and minute.</summary>
    public static ExportLayout Fire { get; } = new FireLayout();

    /// <summary>The Arrow schema of the rows.</summary>
    public Schema Schema { get; }

    /// <summary>PromQL regular expression of the series names the export reads.</summary>
    public string NamePattern { get; }

    /// <summary>PromQL regular expression of the device kinds the export reads when the query names none; null: every kind.</summary>
    public string? KindPattern { get; }

    /// <summary>
    /// Boolean columns after the values, each a bit of a whole-number value column: true when
    /// <c>(long)value &amp; Mask</c> is not 0, null when the value is.
    /// </summary>
    public (string Column, int Value, uint Mask)[] Flags { get; }

    /// <summary>Tag columns, in schema order after <c>time</c>.</summary>
    public int TagCount { get; }

    /// <summary>A row is keyed by its time and its first <see cref="KeyTags"/> tags.</summary>
    public int KeyTags { get; }

    /// <summary>Tags that order rows of the same time, most significant first (ordinal string order).</summary>
    public int[] SortTags { get; }

    /// <summary>Value columns, in schema order after the tags: int64 where true, float64 otherwise.</summary>
    public bool[] ValueIsCount { get; }

    /// <summary>The layout of <paramref name="kind"/>.</summary>
    public static ExportLayout Of(ExportKind kind) => kind switch
    {
        ExportKind.Aggregates => Aggregates,
        ExportKind.Fire => Fire,
        _ => Alerts,
    };

    /// <summary>The tag column a label (UTF-8 name) fills, or -1.</summary>
    public int TagOfLabel(ReadOnlySpan<byte> label)
    {
        for (var tag = 0; tag < _tagLabels.Length; tag++)
        {
            if (_tagLabels[tag] is { } name && label.SequenceEqual(name))
            {
                return tag;
            }
        }

        return -1;
    }

    /// <summary>
    /// The value column a series named <paramref name="name"/> fills, and the tag (if any) its name carries:
    /// <paramref name="derivedTag"/> is -1 or a tag column, <paramref name="derivedValue"/> its value within the name.
    /// False for a name the export does not use.
    /// </summary>
    public abstract bool TryMapName(ReadOnlySpan<char> name, out int column, out int derivedTag, out Range derivedValue);

    /// <summary><c>time, device, district, kind, metric, min, max, mean, last, count</c> (time = the minute's start).</summary>
    private sealed class AggregateLayout() : ExportLayout(
        "sensing_agg_1m_.+",
        [("device", "device"), ("district", "district"), ("kind", "kind"), ("metric", null)],
        keyTags: 4,
        sortTags: [0, 3],
        [("min", false), ("max", false), ("mean", false), ("last", false), ("count", true)])
    {
        private const string Prefix = "sensing_agg_1m_";
        private static readonly string[] Statistics = ["_min", "_max", "_mean", "_last", "_count"];

        // sensing_agg_1m_<metric>_<statistic>; metric names may hold underscores (water_flow).
        public override bool TryMapName(ReadOnlySpan<char> name, out int column, out int derivedTag, out Range derivedValue)
        {
            derivedTag = 3;
            derivedValue = default;
            if (name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                for (column = 0; column < Statistics.Length; column++)
                {
                    if (name.EndsWith(Statistics[column], StringComparison.Ordinal) && name.Length > Prefix.Length + Statistics[column].Length)
                    {
                        derivedValue = Prefix.Length..(name.Length - Statistics[column].Length);
                        return true;
                    }
                }
            }

            column = -1;
            return false;
        }
    }

    /// <summary><c>time, alert_id, event, condition, severity, district, kind, source, value, peak, count</c>.</summary>
    private sealed class AlertLayout() : ExportLayout(
        "sensing_alert_(value|peak|count)",
        [("alert_id", "alert_id"), ("event", "event"), ("condition", "condition"), ("severity", "severity"), ("district", "district"), ("kind", "kind"), ("source", "source")],
        keyTags: 2,
        sortTags: [0, 1],
        [("value", false), ("peak", false), ("count", true)])
    {
        private static readonly string[] Names = ["sensing_alert_value", "sensing_alert_peak", "sensing_alert_count"];

        public override bool TryMapName(ReadOnlySpan<char> name, out int column, out int derivedTag, out Range derivedValue)
        {
            derivedTag = -1;
            derivedValue = default;
            for (column = 0; column < Names.Length; column++)
            {
                if (name.SequenceEqual(Names[column]))
                {
                    return true;
                }
            }

            column = -1;
            return false;
        }
    }

    /// <summary>
    /// <c>time, device, district, kind, residual_ma_max, residual_ma_last, temp_max, temp_last, pressure_min,
    /// pressure_last, alarm_bits, smoke_alarm, smoke_fault, smoke_low_battery, smoke_removed, smoke_test,
    /// smoke_silenced</c>: the minute's statistics of the fire kinds' metrics (residual current mA, circuit temperature
    /// C, fire-water pressure MPa) and a smoke alarm's last bit field, with its states (<see cref="SmokeAlarmBits"/>)
    /// one column each. A column a device's kind does not report is null.
    /// </summary>
    private sealed class FireLayout() : ExportLayout(
        "sensing_agg_1m_(residual_ma_(max|last)|temp_(max|last)|pressure_(min|last)|alarm_last)",
        [("device", "device"), ("district", "district"), ("kind", "kind")],
        keyTags: 3,
        sortTags: [0],
        [
            ("residual_ma_max", false), ("residual_ma_last", false), ("temp_max", false), ("temp_last", false),
            ("pressure_min", false), ("pressure_last", false), ("alarm_bits", true),
        ],
        kindPattern: "smoke-alarm|electrical-fire-detector|fire-water-pressure",
        flags:
        [
            ("smoke_alarm", 6, SmokeAlarmBits.Alarm), ("smoke_fault", 6, SmokeAlarmBits.Fault),
            ("smoke_low_battery", 6, SmokeAlarmBits.LowBattery), ("smoke_removed", 6, SmokeAlarmBits.Removed),
            ("smoke_test", 6, SmokeAlarmBits.Test), ("smoke_silenced", 6, SmokeAlarmBits.Silenced),
        ])
    {
        private static readonly string[] Names =
        [
            "sensing_agg_1m_residual_ma_max", "sensing_agg_1m_residual_ma_last", "sensing_agg_1m_temp_max", "sensing_agg_1m_temp_last",
            "sensing_agg_1m_pressure_min", "sensing_agg_1m_pressure_last", "sensing_agg_1m_alarm_last",
        ];

        public override bool TryMapName(ReadOnlySpan<char> name, out int column, out int derivedTag, out Range derivedValue)
        {
            derivedTag = -1;
            derivedValue = default;
            for (column = 0; column < Names.Length; column++)
            {
                if (name.SequenceEqual(Names[column]))
                {
                    return true;
                }
            }

            column = -1;
            return false;
        }
    }
}
