using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.Replay;

namespace Sensing.Tests.Simulators;

public sealed class RecordingReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("recording-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Read_Long_IsoAndUnixTimesAndReceivedColumn()
    {
        var path = Write("long.csv", "timestamp,sensor,value,received", "2026-01-05T00:00:00.000Z,p1,0.31,", "1767571260000,p1,0.29,2026-01-05T03:01:00.000Z");
        var rows = RecordingReader.Read(path, RecordingFormat.Long).ToList();
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0], Is.EqualTo(new RecordedRow(1767571200000, 1767571200000, "p1", 0.31, 2)));
        Assert.That(rows[1].TimeMs, Is.EqualTo(1767571260000));
        Assert.That(rows[1].ReceivedMs, Is.EqualTo(1767571200000 + (3 * 3_600_000) + 60_000));
    }

    [Test]
    public void Read_Wide_OneRowPerTimeEmptyCellsSkipped()
    {
        var path = Write("wide.csv", "timestamp,p1,p2,f1", "2019-01-01 00:00:00,0.5,,12.5", "2019-01-01 00:05:00,0.51,0.42,");
        var rows = RecordingReader.Read(path, RecordingFormat.Wide).ToList();
        Assert.That(rows.Select(r => (r.Sensor, r.Value)), Is.EqualTo(new[] { ("p1", 0.5), ("f1", 12.5), ("p1", 0.51), ("p2", 0.42) }));
        Assert.That(rows[2].TimeMs - rows[0].TimeMs, Is.EqualTo(300_000));
    }

    [TestCase("timestamp,sensor,value\nnot-a-time,p1,1", "long.csv:2: timestamp 'not-a-time' is not Unix ms or ISO 8601")]
    [TestCase("timestamp,sensor,value\n2026-01-05T00:00:00Z,p1,abc", "long.csv:2: value 'abc' is not a finite number")]
    [TestCase("timestamp,sensor,value\n# comment\n2026-01-05T00:00:00Z,p1", "long.csv:3: expected 3 columns, found 2")]
    [TestCase("time,sensor,value", "long.csv:1: expected the header 'timestamp,sensor,value'")]
    [TestCase("timestamp,sensor,value\n2026-01-05T00:00:00Z,,1", "long.csv:2: the sensor name is empty")]
    public void Read_LongBadLine_ErrorNamesFileLineAndProblem(string content, string expected)
    {
        var path = Write("long.csv", content);
        var e = Assert.Throws<FormatException>(() => RecordingReader.Read(path, RecordingFormat.Long).ToList());
        Assert.That(e!.Message, Does.Contain(expected.Split(": ", 2)[1]).And.Contain(Path.DirectorySeparatorChar + expected.Split(": ", 2)[0] + ": "));
    }

    [Test]
    public void Read_WideRaggedRow_ErrorNamesLine()
    {
        var path = Write("wide.csv", "timestamp,p1,p2", "2019-01-01 00:00:00,0.5,0.4", "2019-01-01 00:05:00,0.5");
        var e = Assert.Throws<FormatException>(() => RecordingReader.Read(path, RecordingFormat.Wide).ToList());
        Assert.That(e!.Message, Does.Contain("wide.csv:3: expected 3 columns, found 2"));
    }

    [Test]
    public void Read_WideBadValue_ErrorNamesSensor()
    {
        var path = Write("wide.csv", "timestamp,p1,p2", "2019-01-01 00:00:00,0.5,x");
        var e = Assert.Throws<FormatException>(() => RecordingReader.Read(path, RecordingFormat.Wide).ToList());
        Assert.That(e!.Message, Does.Contain("wide.csv:2: value of 'p2' 'x' is not a finite number"));
    }

    [Test]
    public void SensorMap_Load_ResolvesSensorsAndCreatesDevices()
    {
        var path = Write("map.csv", "sensor,device,kind,district,metric,report_s", "n54,wp-n54,water-pressure,dma-a,pressure,300", "pump1,wf-pump1,water-flow,dma-a,water_flow,300");
        var map = SensorMap.Load(path);
        Assert.That(map.TryResolve("n54", out var target), Is.True);
        Assert.That(target.Device.Kind, Is.EqualTo(DeviceKind.WaterPressure));
        Assert.That(target.Device.District, Is.EqualTo("dma-a"));
        Assert.That(target.Metric, Is.EqualTo(Metric.Pressure));
        Assert.That(map.Devices.Keys, Is.EquivalentTo(new[] { "wp-n54", "wf-pump1" }));
        Assert.That(map.TryResolve("unknown", out _), Is.False);
    }

    [Test]
    public void SensorMap_BadMetric_ErrorNamesLine()
    {
        var path = Write("map.csv", "sensor,device,kind,district,metric", "n54,wp-n54,water-pressure,dma-a,psi");
        var e = Assert.Throws<FormatException>(() => SensorMap.Load(path));
        Assert.That(e!.Message, Does.Contain("map.csv:2: metric 'psi'"));
    }

    [Test]
    public void SensorMap_FromRegistry_ResolvesDeviceSlashMetric()
    {
        var map = SensorMap.FromRegistry([new DeviceInfo("gm-000001", DeviceKind.GasMeter, "d01", 900, "")]);
        Assert.That(map.TryResolve("gm-000001/flow", out var target), Is.True);
        Assert.That(target.Metric, Is.EqualTo(Metric.GasFlow));
        Assert.That(map.TryResolve("gm-000001/bogus", out _), Is.False);
        Assert.That(map.TryResolve("gm-999999/flow", out _), Is.False);
    }

    [Test]
    public void ReadingsCsvWriter_ThenRead_SameValuesAndGroupedReadings()
    {
        var path = Path.Combine(_dir, "readings.csv");
        using (var writer = new ReadingsCsvWriter(path))
        {
            writer.Write("md-000001", 1767571200123, 1767571200123, [new(Metric.MethaneLel, 1.25), new(Metric.BatteryVolts, 3.6)]);
            writer.Write("md-000001", 1767578400000, 1767571230000, [new(Metric.MethaneLel, 0.5)]);
        }

        var map = SensorMap.FromRegistry([new DeviceInfo("md-000001", DeviceKind.MethaneDetector, "d01", 30, "")]);
        var readings = RecordedReadings.Group(RecordingReader.Read(path, RecordingFormat.Long), map, path);
        Assert.That(readings, Has.Count.EqualTo(2));
        Assert.That(readings[0].Metrics, Is.EqualTo(new MetricValue[] { new(Metric.MethaneLel, 1.25), new(Metric.BatteryVolts, 3.6) }));
        Assert.That(readings[0].TimeMs, Is.EqualTo(1767571200123));
        Assert.That(readings[1].ReceivedMs, Is.EqualTo(1767571230000), "a skewed clock keeps its receive time");
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
