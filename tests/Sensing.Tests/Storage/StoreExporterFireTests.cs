using Apache.Arrow;
using Apache.Arrow.Ipc;
using NUnit.Framework;
using Sensing.Core.Telemetry;
using Sensing.Storage.Export;

namespace Sensing.Tests.Storage;

/// <summary>The fire export (<c>what=fire</c>) against <see cref="FakeExportStore"/>: a row per device and minute, bits as states.</summary>
[TestFixture]
public sealed class StoreExporterFireTests
{
    // 2025-12-01T10:00:00Z, a whole minute.
    private const long T0 = 1_764_583_200_000;

    [Test]
    public async Task WriteAsync_Fire_JoinsTheStatisticsOfEachDeviceAndDecodesTheSmokeBits()
    {
        var bits = SmokeAlarmBits.Removed | SmokeAlarmBits.LowBattery;
        var store = new FakeExportStore(
        [
            Series("sensing_agg_1m_residual_ma_max", "ef-1", "electrical-fire-detector", 340),
            Series("sensing_agg_1m_residual_ma_last", "ef-1", "electrical-fire-detector", 310),
            Series("sensing_agg_1m_temp_max", "ef-1", "electrical-fire-detector", 72.5),
            Series("sensing_agg_1m_pressure_min", "fp-1", "fire-water-pressure", 0.05),
            Series("sensing_agg_1m_alarm_last", "sa-1", "smoke-alarm", bits),
        ]);

        using var http = new HttpClient(store);
        var export = await new StoreExporter(http, StoreExporterOptions.Default).StartAsync(new ExportQuery(ExportKind.Fire, T0, T0 + 60_000));
        using var output = new MemoryStream();
        await export.WriteAsync(output);
        output.Position = 0;
        using var reader = new ArrowStreamReader(output);
        var batch = (await reader.ReadNextRecordBatchAsync())!;

        Assert.That(batch.Schema.FieldsList.Select(f => f.Name).Skip(4), Is.EqualTo(new[]
        {
            "residual_ma_max", "residual_ma_last", "temp_max", "temp_last", "pressure_min", "pressure_last", "alarm_bits",
            "smoke_alarm", "smoke_fault", "smoke_low_battery", "smoke_removed", "smoke_test", "smoke_silenced",
        }));
        Assert.That(batch.Length, Is.EqualTo(3));
        Assert.That(((StringArray)batch.Column(1)).GetString(0), Is.EqualTo("ef-1"));
        Assert.That(((DoubleArray)batch.Column(4)).GetValue(0), Is.EqualTo(340));
        Assert.That(((DoubleArray)batch.Column(5)).GetValue(0), Is.EqualTo(310));
        Assert.That(((DoubleArray)batch.Column(6)).GetValue(0), Is.EqualTo(72.5));
        Assert.That(batch.Column(7).IsNull(0), Is.True, "temp_last was not stored");
        Assert.That(batch.Column(11).IsNull(0), Is.True, "a circuit has no smoke states");
        Assert.That(((DoubleArray)batch.Column(8)).GetValue(1), Is.EqualTo(0.05));
        Assert.That(((Int64Array)batch.Column(10)).GetValue(2), Is.EqualTo(bits));
        var states = Enumerable.Range(11, 6).Select(c => ((BooleanArray)batch.Column(c)).GetValue(2)).ToArray();
        Assert.That(states, Is.EqualTo(new bool?[] { false, false, true, true, false, false }), "alarm, fault, low battery, removed, test, silenced");
    }

    [TestCase("gas-meter")]
    [TestCase("water-pressure")]
    public void Parse_FireOfANonFireKind_Refused(string kind)
    {
        var error = Assert.Throws<ArgumentException>(() => ExportQuery.Parse("fire", "0", "1000", null, kind));

        Assert.That(error!.Message, Does.StartWith("kind: ").And.Contain("not a fire-safety kind"));
    }

    private static FakeSeries Series(string name, string device, string kind, double value) =>
        new(new Dictionary<string, string> { ["__name__"] = name, ["device"] = device, ["district"] = "d05", ["kind"] = kind }, [(T0, value)]);
}
