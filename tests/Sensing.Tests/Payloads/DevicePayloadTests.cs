using NUnit.Framework;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;

namespace Sensing.Tests.Payloads;

public sealed class DevicePayloadTests
{
    private const long IngestMs = 1_732_170_000_000;

    private static readonly MetricValue[] GasMeter =
    [
        new(Metric.GasVolume, 1234.5), new(Metric.GasFlow, 0.75), new(Metric.ValveOpen, 1), new(Metric.BatteryVolts, 3.5),
        new(Metric.SignalRsrp, -95), new(Metric.Temperature, 12.25),
    ];

    [Test]
    public void TryDecode_BinaryGasMeter_RoundTripsEveryField()
    {
        var payload = Binary(42, 1_732_000_000_123, GasMeter);
        var metrics = new MetricValue[TelemetryFrame.MaxMetrics];

        Assert.That(DevicePayload.TryDecode(payload, IngestMs, metrics, out var reading, out var error), Is.True, error.ToString());
        Assert.That(payload, Has.Length.EqualTo(44));
        Assert.That(reading, Is.EqualTo(new DecodedReading(1_732_000_000_123, 42, 6)));
        Assert.That(metrics[..6], Is.EqualTo(GasMeter));
    }

    [Test]
    public void TryDecode_BinaryZeroTimestamp_UsesIngestTime()
    {
        Assert.That(DevicePayload.TryDecode(Binary(1, 0, [new(Metric.MethaneLel, 31.5)]), IngestMs, new MetricValue[32], out var reading, out _), Is.True);
        Assert.That(reading.EventTimeMs, Is.EqualTo(IngestMs));
    }

    [TestCase(13, PayloadError.BinaryTruncated)]
    [TestCase(20, PayloadError.BinaryTruncated)]
    public void TryDecode_BinaryCutShort_Truncated(int length, PayloadError expected)
    {
        var payload = Binary(1, 0, GasMeter)[..length];
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void TryDecode_BinaryExtraByte_TrailingBytes()
    {
        byte[] payload = [.. Binary(1, 0, GasMeter), 0];
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.BinaryTrailingBytes));
    }

    [TestCase((byte)0)]
    [TestCase((byte)(Metrics.MaxCode + 1))]
    public void TryDecode_BinaryUnknownMetricCode_UnknownMetric(byte code)
    {
        var payload = Binary(1, 0, [new(Metric.MethaneLel, 1)]);
        payload[BinaryReadingDecoder.HeaderLength] = code;
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.UnknownMetric));
    }

    [Test]
    public void TryDecode_BinaryNaNValue_BadValue()
    {
        var payload = Binary(1, 0, [new(Metric.MethaneLel, double.NaN)]);
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.BadValue));
    }

    [Test]
    public void TryDecode_BinaryNoMetrics_NoMetrics()
    {
        var payload = Binary(1, 0, [new(Metric.MethaneLel, 1)]);
        payload[13] = 0;
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.NoMetrics));
    }

    [Test]
    public void TryDecode_JsonGasMeter_DecodedAsJson()
    {
        var payload = """{"seq":7,"ts":1732000000000,"volume":1234.5,"flow":0.75,"valve":"open","battery":3.5}"""u8.ToArray();
        var metrics = new MetricValue[32];
        Assert.That(DevicePayload.TryDecode(payload, IngestMs, metrics, out var reading, out var error), Is.True, error.ToString());
        Assert.That(reading, Is.EqualTo(new DecodedReading(1_732_000_000_000, 7, 4)));
    }

    [Test]
    public void TryDecode_NeitherForm_MalformedJson()
    {
        Assert.That(DevicePayload.TryDecode([0x01, 0x02, 0x03], IngestMs, new MetricValue[32], out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.MalformedJson));
    }

    internal static byte[] Binary(uint seq, long ts, ReadOnlySpan<MetricValue> metrics)
    {
        var buffer = new byte[BinaryReadingDecoder.HeaderLength + (metrics.Length * BinaryReadingDecoder.MetricLength)];
        Assert.That(BinaryReadingDecoder.Write(buffer, seq, ts, metrics), Is.EqualTo(buffer.Length));
        return buffer;
    }
}
