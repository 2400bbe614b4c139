using System.Net;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using NUnit.Framework;
using Sensing.Storage.Export;

namespace Sensing.Tests.Storage;

/// <summary>
/// The analyst export against <see cref="FakeExportStore"/> (the store's export answer, in process), read back with
/// Apache.Arrow's stream reader: the join of the store's per-field series into rows, their order, nulls, record
/// batches, and the time slices that bound the rows held in memory.
/// </summary>
[TestFixture]
public sealed class StoreExporterTests
{
    // 2025-12-01T10:00:00Z, a whole minute.
    private const long T0 = 1_764_583_200_000;
    private const long Minute = 60_000;
    private static readonly string[] Statistics = ["min", "max", "mean", "last", "count"];

    [Test]
    public async Task WriteAsync_AggregatesOverSeveralSlices_EveryRowJoinedInTimeDeviceMetricOrder()
    {
        var store = new FakeExportStore(Aggregates(devices: 30, minutes: 10, "flow", "battery"));
        var options = new StoreExporterOptions { BatchRows = 64, SliceRows = 100, MaxRowsInMemory = 1_000 };

        var (export, batches) = await ExportAsync(store, options, new ExportQuery(ExportKind.Aggregates, T0, T0 + (10 * Minute)));

        Assert.That(export.Slices, Is.GreaterThan(1), "read in more than one slice");
        Assert.That(store.Requests, Has.Count.EqualTo(export.Slices));
        var rows = Rows(batches);
        var expected = (from minute in Enumerable.Range(0, 10)
                        from device in Enumerable.Range(0, 30)
                        from metric in new[] { "battery", "flow" }
                        select $"{T0 + (minute * Minute)} gm-{device:D3} d{device % 3} gas-meter {metric} {Value(device, minute, 0)} {Value(device, minute, 1)} "
                            + $"{Value(device, minute, 2)} {Value(device, minute, 3)} {(long)Value(device, minute, 4)}").ToList();
        Assert.That(rows, Is.EqualTo(expected));
        Assert.That(batches.Select(b => b.Length), Is.EqualTo(new[] { 64, 64, 64, 64, 64, 64, 64, 64, 64, 24 }), "full batches across slices, then the rest");
        Assert.That(export.Rows, Is.EqualTo(600));
        Assert.That(export.Batches, Is.EqualTo(10));
    }

    [Test]
    public async Task WriteAsync_Aggregates_SchemaAsDocumented()
    {
        var store = new FakeExportStore(Aggregates(devices: 1, minutes: 1, "flow"));

        var (export, batches) = await ExportAsync(store, StoreExporterOptions.Default, new ExportQuery(ExportKind.Aggregates, T0, T0 + Minute));

        var schema = batches.Single().Schema;
        Assert.That(schema.FieldsList.Select(f => f.Name), Is.EqualTo(new[] { "time", "device", "district", "kind", "metric", "min", "max", "mean", "last", "count" }));
        var time = (TimestampType)schema.FieldsList[0].DataType;
        Assert.That((time.Unit, time.Timezone, schema.FieldsList[0].IsNullable), Is.EqualTo((TimeUnit.Millisecond, "UTC", false)));
        Assert.That(schema.FieldsList.Skip(1).Select(f => (f.DataType.TypeId, f.IsNullable)), Is.EqualTo(new[]
        {
            (ArrowTypeId.String, true), (ArrowTypeId.String, true), (ArrowTypeId.String, true), (ArrowTypeId.String, true),
            (ArrowTypeId.Double, true), (ArrowTypeId.Double, true), (ArrowTypeId.Double, true), (ArrowTypeId.Double, true), (ArrowTypeId.Int64, true),
        }));
        Assert.That(export.Schema.FieldsList.Select(f => f.Name), Is.EqualTo(schema.FieldsList.Select(f => f.Name)));
    }

    [Test]
    public async Task WriteAsync_StatisticAndLabelMissing_Nulls()
    {
        var store = new FakeExportStore(
        [
            Series("sensing_agg_1m_flow_max", "gm-1", "", [(T0, 2.5)]),
            Series("sensing_agg_1m_flow_count", "gm-1", "", [(T0, 3)]),
        ]);

        var (_, batches) = await ExportAsync(store, StoreExporterOptions.Default, new ExportQuery(ExportKind.Aggregates, T0, T0 + Minute));

        Assert.That(Rows(batches), Is.EqualTo(new[] { $"{T0} gm-1 null gas-meter flow null 2.5 null null 3" }));
    }

    [Test]
    public async Task WriteAsync_EscapedLabelValuesAndSampleAtWindowEnd_DecodedAndExcluded()
    {
        var store = new FakeExportStore(
        [
            Series("sensing_agg_1m_water_flow_last", "dév \"7\"", "d01", [(T0, 1), (T0 + Minute, 2)]),
        ]);

        var (_, batches) = await ExportAsync(store, StoreExporterOptions.Default, new ExportQuery(ExportKind.Aggregates, T0, T0 + Minute));

        Assert.That(store.Requests[0].ToMs, Is.EqualTo(T0 + Minute), "the store's end is inclusive: it answers the sample at the window's end");
        Assert.That(Rows(batches), Is.EqualTo(new[] { $"{T0} dév \"7\" d01 gas-meter water_flow null null null 1 null" }));
    }

    [Test]
    public async Task WriteAsync_DenseMinutesAfterSparseOnes_SliceReadAgainShorterAndRowsHeldBounded()
    {
        // Ten minutes with 5 devices, then ten with 100: slices grown on the sparse minutes overflow on the dense ones.
        var series = Aggregates(devices: 5, minutes: 10, "flow")
            .Concat(Aggregates(devices: 100, minutes: 10, "battery").Select(s => s with { Samples = [.. s.Samples.Select(p => (p.TimeMs + (10 * Minute), p.Value))] }));
        var store = new FakeExportStore(series);
        var options = new StoreExporterOptions { BatchRows = 1_000, SliceRows = 100, MaxRowsInMemory = 250 };

        var (export, batches) = await ExportAsync(store, options, new ExportQuery(ExportKind.Aggregates, T0, T0 + (20 * Minute)));

        Assert.That(Rows(batches), Has.Count.EqualTo((5 * 10) + (100 * 10)));
        Assert.That(export.MostRowsHeld, Is.InRange(100, 250));
        Assert.That(store.Requests, Has.Count.GreaterThan(export.Slices), "a slice that overflowed was read again");
        Assert.That(Times(batches), Is.Ordered);
    }

    [Test]
    public void StartAsync_OneMinuteOverMaxRowsInMemory_ExportTooLarge()
    {
        var store = new FakeExportStore(Aggregates(devices: 300, minutes: 1, "flow"));
        var options = new StoreExporterOptions { SliceRows = 100, MaxRowsInMemory = 200 };
        using var http = new HttpClient(store);

        Assert.ThrowsAsync<ExportTooLargeException>(() =>
            new StoreExporter(http, options).StartAsync(new ExportQuery(ExportKind.Aggregates, T0, T0 + Minute)));
    }

    [Test]
    public void StartAsync_StoreAnswers500_HttpRequestExceptionWithStatus()
    {
        var store = new FakeExportStore([]) { FailWith = HttpStatusCode.InternalServerError };
        using var http = new HttpClient(store);

        var error = Assert.ThrowsAsync<HttpRequestException>(() =>
            new StoreExporter(http, StoreExporterOptions.Default).StartAsync(new ExportQuery(ExportKind.Alerts, T0, T0 + Minute)));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(error.Message, Does.Contain("store says no"));
    }

    [Test]
    public async Task WriteAsync_ThreeAlertsInThirtyDays_FewStoreRequestsAndEveryEvent()
    {
        FakeSeries Alert(string name, string id, string step, long time, double value) => new(
            new Dictionary<string, string>
            {
                ["__name__"] = name, ["alert_id"] = id, ["event"] = step, ["condition"] = "gas.methane-high", ["severity"] = "High",
                ["district"] = "d01", ["source"] = "md-1",
            },
            [(time, value)]);
        var day = 24 * 60 * Minute;
        var store = new FakeExportStore(
        [
            Alert("sensing_alert_value", "al-2", "raised", T0 + (20 * day), 40),
            Alert("sensing_alert_value", "al-1", "raised", T0 + day, 30),
            Alert("sensing_alert_peak", "al-1", "raised", T0 + day, 31),
            Alert("sensing_alert_count", "al-1", "raised", T0 + day, 1),
            Alert("sensing_alert_value", "al-1", "cleared", T0 + (2 * day), 4),
        ]);

        var (export, batches) = await ExportAsync(store, StoreExporterOptions.Default, new ExportQuery(ExportKind.Alerts, T0, T0 + (30 * day)));

        Assert.That(store.Requests, Has.Count.LessThanOrEqualTo(10), "slices grow 4 times each while the store answers little");
        Assert.That(export.Slices, Is.EqualTo(store.Requests.Count));
        Assert.That(batches.Single().Schema.FieldsList.Select(f => f.Name), Is.EqualTo(new[]
        {
            "time", "alert_id", "event", "condition", "severity", "district", "kind", "source", "value", "peak", "count",
        }));
        Assert.That(Rows(batches), Is.EqualTo(new[]
        {
            $"{T0 + day} al-1 raised gas.methane-high High d01 null md-1 30 31 1",
            $"{T0 + (2 * day)} al-1 cleared gas.methane-high High d01 null md-1 4 null null",
            $"{T0 + (20 * day)} al-2 raised gas.methane-high High d01 null md-1 40 null null",
        }));
    }

    [Test]
    public async Task WriteAsync_NothingInWindow_SchemaAndNoBatch()
    {
        var store = new FakeExportStore([]);
        using var http = new HttpClient(store);
        var export = await new StoreExporter(http, StoreExporterOptions.Default).StartAsync(new ExportQuery(ExportKind.Aggregates, T0, T0 + (5 * Minute)));
        using var output = new MemoryStream();

        await export.WriteAsync(output);

        output.Position = 0;
        using var reader = new ArrowStreamReader(output);
        Assert.That(await reader.ReadNextRecordBatchAsync(), Is.Null);
        Assert.That(reader.Schema.FieldsList, Has.Count.EqualTo(10));
        Assert.That(export.Rows, Is.Zero);
    }

    private static async Task<(ArrowExport Export, List<RecordBatch> Batches)> ExportAsync(FakeExportStore store, StoreExporterOptions options, ExportQuery query)
    {
        using var http = new HttpClient(store);
        var export = await new StoreExporter(http, options).StartAsync(query);
        using var output = new MemoryStream();
        await export.WriteAsync(output);
        output.Position = 0;
        using var reader = new ArrowStreamReader(output);
        var batches = new List<RecordBatch>();
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            batches.Add(batch);
        }

        return (export, batches);
    }

    // Every row as text: values joined by spaces, nulls as "null".
    private static List<string> Rows(List<RecordBatch> batches)
    {
        static string Cell(IArrowArray column, int i) => column.IsNull(i) ? "null" : column switch
        {
            TimestampArray t => t.GetValue(i)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            StringArray s => s.GetString(i),
            DoubleArray d => d.GetValue(i)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Int64Array n => n.GetValue(i)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new AssertionException($"unexpected column {column.GetType().Name}"),
        };

        return [.. batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => string.Join(' ', b.Arrays.Select(c => Cell(c, i)))))];
    }

    private static List<long> Times(List<RecordBatch> batches) =>
        [.. batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((TimestampArray)b.Column(0)).GetValue(i)!.Value))];

    private static double Value(int device, int minute, int statistic) => statistic == 4 ? 6 + device : (device * 0.5) + minute + (statistic * 0.25);

    // Every statistic of every metric of gas meters gm-000.., one sample per minute; district d<device % 3>.
    private static List<FakeSeries> Aggregates(int devices, int minutes, params string[] metrics) =>
        [.. from device in Enumerable.Range(0, devices)
            from metric in metrics
            from statistic in Enumerable.Range(0, Statistics.Length)
            select Series($"sensing_agg_1m_{metric}_{Statistics[statistic]}", $"gm-{device:D3}", $"d{device % 3}",
                [.. Enumerable.Range(0, minutes).Select(m => (T0 + (m * Minute), Value(device, m, statistic)))])];

    private static FakeSeries Series(string name, string device, string district, (long, double)[] samples)
    {
        var labels = new Dictionary<string, string> { ["__name__"] = name, ["device"] = device, ["kind"] = "gas-meter" };
        if (district.Length > 0)
        {
            labels["district"] = district;
        }

        return new FakeSeries(labels, samples);
    }
}
