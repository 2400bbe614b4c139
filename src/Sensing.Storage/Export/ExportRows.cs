using System.Text.Json;
using Sensing.Storage.Arrow;

namespace Sensing.Storage.Export;

/// <summary>Rows of one export, joined from the store's series; see <see cref="StoreExporter"/>.</summary>
public abstract class ExportRows
{
    private protected ExportRows(int maxRows) => MaxRows = maxRows;

    /// <summary>The Arrow schema of the rows.</summary>
    public abstract ArrowSchema Schema { get; }

    /// <summary>Rows joined so far.</summary>
    public abstract int Count { get; }

    private protected int MaxRows { get; }

    internal abstract void Add(JsonElement labels, long timeMs, double value);

    /// <summary>Fills <paramref name="batch"/> with up to <paramref name="batchRows"/> rows at a time, in time order,
    /// yielding after each filled batch.</summary>
    internal abstract IEnumerable<int> Fill(ArrowBatchBuilder batch, int batchRows);

    private protected void CheckRoom()
    {
        if (Count >= MaxRows)
        {
            throw new ExportTooLargeException(MaxRows);
        }
    }

    private protected static string Label(JsonElement labels, string name) =>
        labels.TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";

    private protected static void AppendText(ArrowBatchBuilder batch, int column, string value)
    {
        if (value.Length == 0)
        {
            batch.AppendNull(column);
        }
        else
        {
            batch.AppendUtf8(column, value);
        }
    }

    private protected static void AppendValue(ArrowBatchBuilder batch, int column, double? value)
    {
        if (value is { } v)
        {
            batch.AppendFloat64(column, v);
        }
        else
        {
            batch.AppendNull(column);
        }
    }

    private protected static void AppendCount(ArrowBatchBuilder batch, int column, double? value)
    {
        if (value is { } v)
        {
            batch.AppendInt64(column, (long)v);
        }
        else
        {
            batch.AppendNull(column);
        }
    }
}

/// <summary>
/// <c>time, device, district, kind, metric, min, max, mean, last, count</c>: one row per device, metric and minute
/// (time = the minute's start, UTC). A statistic missing in the store is null.
/// </summary>
internal sealed class AggregateRows(int maxRows) : ExportRows(maxRows)
{
    private static readonly string[] Statistics = ["_min", "_max", "_mean", "_last", "_count"];
    private static readonly ArrowSchema AggregateSchema = new(
        new ArrowField("time", ArrowColumnType.TimestampMsUtc, Nullable: false),
        new ArrowField("device", ArrowColumnType.Utf8),
        new ArrowField("district", ArrowColumnType.Utf8),
        new ArrowField("kind", ArrowColumnType.Utf8),
        new ArrowField("metric", ArrowColumnType.Utf8),
        new ArrowField("min", ArrowColumnType.Float64),
        new ArrowField("max", ArrowColumnType.Float64),
        new ArrowField("mean", ArrowColumnType.Float64),
        new ArrowField("last", ArrowColumnType.Float64),
        new ArrowField("count", ArrowColumnType.Int64));

    private readonly Dictionary<(long Time, string Device, string District, string Kind, string Metric), double?[]> _rows = [];

    public override ArrowSchema Schema => AggregateSchema;

    public override int Count => _rows.Count;

    internal override void Add(JsonElement labels, long timeMs, double value)
    {
        // sensing_agg_1m_<metric>_<statistic>; metric names may hold underscores (water_flow).
        var name = Label(labels, "__name__")["sensing_agg_1m_".Length..];
        var statistic = Array.FindIndex(Statistics, s => name.EndsWith(s, StringComparison.Ordinal));
        if (statistic < 0)
        {
            return;
        }

        var key = (timeMs, Label(labels, "device"), Label(labels, "district"), Label(labels, "kind"), name[..^Statistics[statistic].Length]);
        if (!_rows.TryGetValue(key, out var values))
        {
            CheckRoom();
            values = new double?[Statistics.Length];
            _rows[key] = values;
        }

        values[statistic] = value;
    }

    internal override IEnumerable<int> Fill(ArrowBatchBuilder batch, int batchRows)
    {
        var ordered = _rows.OrderBy(r => r.Key.Time).ThenBy(r => r.Key.Device, StringComparer.Ordinal).ThenBy(r => r.Key.Metric, StringComparer.Ordinal);
        foreach (var (key, values) in ordered)
        {
            batch.AppendTimestampMs(0, key.Time);
            AppendText(batch, 1, key.Device);
            AppendText(batch, 2, key.District);
            AppendText(batch, 3, key.Kind);
            AppendText(batch, 4, key.Metric);
            for (var s = 0; s < 4; s++)
            {
                AppendValue(batch, 5 + s, values[s]);
            }

            AppendCount(batch, 9, values[4]);
            batch.EndRow();
            if (batch.Rows == batchRows)
            {
                yield return batch.Rows;
            }
        }

        if (batch.Rows > 0)
        {
            yield return batch.Rows;
        }
    }
}

/// <summary>
/// <c>time, alert_id, event, condition, severity, district, kind, source, value, peak, count</c>: one row per alert
/// lifecycle event (time = the event time of the step, UTC).
/// </summary>
internal sealed class AlertRows(int maxRows) : ExportRows(maxRows)
{
    private static readonly string[] Fields = ["sensing_alert_value", "sensing_alert_peak", "sensing_alert_count"];
    private static readonly ArrowSchema AlertSchema = new(
        new ArrowField("time", ArrowColumnType.TimestampMsUtc, Nullable: false),
        new ArrowField("alert_id", ArrowColumnType.Utf8),
        new ArrowField("event", ArrowColumnType.Utf8),
        new ArrowField("condition", ArrowColumnType.Utf8),
        new ArrowField("severity", ArrowColumnType.Utf8),
        new ArrowField("district", ArrowColumnType.Utf8),
        new ArrowField("kind", ArrowColumnType.Utf8),
        new ArrowField("source", ArrowColumnType.Utf8),
        new ArrowField("value", ArrowColumnType.Float64),
        new ArrowField("peak", ArrowColumnType.Float64),
        new ArrowField("count", ArrowColumnType.Int64));

    private readonly Dictionary<(long Time, string Id, string Event), (string[] Tags, double?[] Values)> _rows = [];

    public override ArrowSchema Schema => AlertSchema;

    public override int Count => _rows.Count;

    internal override void Add(JsonElement labels, long timeMs, double value)
    {
        var field = Array.IndexOf(Fields, Label(labels, "__name__"));
        if (field < 0)
        {
            return;
        }

        var key = (timeMs, Label(labels, "alert_id"), Label(labels, "event"));
        if (!_rows.TryGetValue(key, out var row))
        {
            CheckRoom();
            row = ([Label(labels, "condition"), Label(labels, "severity"), Label(labels, "district"), Label(labels, "kind"), Label(labels, "source")],
                new double?[Fields.Length]);
            _rows[key] = row;
        }

        row.Values[field] = value;
    }

    internal override IEnumerable<int> Fill(ArrowBatchBuilder batch, int batchRows)
    {
        foreach (var (key, row) in _rows.OrderBy(r => r.Key.Time).ThenBy(r => r.Key.Id, StringComparer.Ordinal))
        {
            batch.AppendTimestampMs(0, key.Time);
            AppendText(batch, 1, key.Id);
            AppendText(batch, 2, key.Event);
            for (var t = 0; t < row.Tags.Length; t++)
            {
                AppendText(batch, 3 + t, row.Tags[t]);
            }

            AppendValue(batch, 8, row.Values[0]);
            AppendValue(batch, 9, row.Values[1]);
            AppendCount(batch, 10, row.Values[2]);
            batch.EndRow();
            if (batch.Rows == batchRows)
            {
                yield return batch.Rows;
            }
        }

        if (batch.Rows > 0)
        {
            yield return batch.Rows;
        }
    }
}
