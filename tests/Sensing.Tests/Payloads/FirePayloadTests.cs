using System.Text;
using NUnit.Framework;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;

namespace Sensing.Tests.Payloads;

/// <summary>The fire-safety devices' readings in both device forms, JSON and the compact binary reading.</summary>
public sealed class FirePayloadTests
{
    private const long IngestMs = 1_765_000_000_000;

    [Test]
    public void TryDecode_JsonSmokeAlarmStatusWord_AlarmBitsAndBattery()
    {
        var payload = Encoding.UTF8.GetBytes("""{"seq":18,"ts":1765000000000,"alarm":33,"battery":3.6,"imei":"860000000000001"}""");
        var metrics = new MetricValue[TelemetryFrame.MaxMetrics];

        Assert.That(DevicePayload.TryDecode(payload, IngestMs, metrics, out var reading, out var error), Is.True, error.ToString());
        Assert.That(reading, Is.EqualTo(new DecodedReading(1_765_000_000_000, 18, 2)));
        Assert.That(metrics[0], Is.EqualTo(new MetricValue(Metric.AlarmBits, SmokeAlarmBits.Alarm | SmokeAlarmBits.Silenced)));
        Assert.That(metrics[1], Is.EqualTo(new MetricValue(Metric.BatteryVolts, 3.6)));
    }

    [Test]
    public void TryDecode_JsonElectricalFireDetector_ResidualCurrentAndTemperature()
    {
        var payload = Encoding.UTF8.GetBytes("""{"seq":7,"residual_ma":312.5,"temp":48.2}""");
        var metrics = new MetricValue[TelemetryFrame.MaxMetrics];

        Assert.That(DevicePayload.TryDecode(payload, IngestMs, metrics, out var reading, out _), Is.True);
        Assert.That(reading.EventTimeMs, Is.EqualTo(IngestMs));
        Assert.That(metrics[..2], Is.EqualTo(new[] { new MetricValue(Metric.ResidualCurrentMa, 312.5), new MetricValue(Metric.Temperature, 48.2) }));
    }

    [Test]
    public void TryDecode_BinaryEveryFireKind_RoundTrips()
    {
        MetricValue[][] readings =
        [
            [new(Metric.AlarmBits, SmokeAlarmBits.Removed), new(Metric.BatteryVolts, 3.5)],
            [new(Metric.ResidualCurrentMa, 250), new(Metric.Temperature, 41.5)],
            [new(Metric.Pressure, 0.25)],
        ];
        foreach (var sent in readings)
        {
            var buffer = new byte[64];
            var length = BinaryReadingDecoder.Write(buffer, 9, 1_765_000_000_500, sent);
            var metrics = new MetricValue[TelemetryFrame.MaxMetrics];

            Assert.That(DevicePayload.TryDecode(buffer.AsSpan(0, length), IngestMs, metrics, out var reading, out var error), Is.True, error.ToString());
            Assert.That(length, Is.EqualTo(BinaryReadingDecoder.HeaderLength + (sent.Length * BinaryReadingDecoder.MetricLength)));
            Assert.That(reading.MetricCount, Is.EqualTo(sent.Length));
            Assert.That(metrics[..sent.Length], Is.EqualTo(sent), "values are float32 on the wire; these are exact in it");
        }
    }
}
