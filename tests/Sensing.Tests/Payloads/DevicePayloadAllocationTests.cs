using NUnit.Framework;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;

namespace Sensing.Tests.Payloads;

/// <summary>
/// Zero allocation per decoded device payload (JSON and binary), measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over several rounds after a warm-up (the same method as
/// <c>MqttAllocationTests</c>: every round below one byte per payload, the best round exactly zero).
/// </summary>
public sealed class DevicePayloadAllocationTests
{
    private const int PayloadsPerRound = 20_000;
    private const int Rounds = 6;

    /// <summary>A gas meter reading as NB-IoT platforms send it.</summary>
    internal static readonly byte[] JsonGasMeter =
        """{"seq":18211,"ts":"2026-11-21T04:33:00Z","volume":1234.567,"flow":0.75,"valve":"open","battery":3.58,"rsrp":-95,"temp":12.5,"imei":"860000000000001"}"""u8.ToArray();

    /// <summary>The same reading in the binary form.</summary>
    internal static readonly byte[] BinaryGasMeter = DevicePayloadTests.Binary(18211, 1_795_667_580_000,
    [
        new(Metric.GasVolume, 1234.567), new(Metric.GasFlow, 0.75), new(Metric.ValveOpen, 1), new(Metric.BatteryVolts, 3.58),
        new(Metric.SignalRsrp, -95), new(Metric.Temperature, 12.5),
    ]);

    [Test]
    public void TryDecode_JsonGasMeterWarmLoop_AllocatesZeroBytes() => AssertNoAllocationPerPayload(JsonGasMeter);

    [Test]
    public void TryDecode_BinaryGasMeterWarmLoop_AllocatesZeroBytes() => AssertNoAllocationPerPayload(BinaryGasMeter);

    /// <summary>A concentrator's JSON batch of three gas meter readings.</summary>
    internal static readonly byte[] JsonConcentratorBatch = ConcentratorBatchTests.JsonBatch;

    /// <summary>A concentrator's binary batch of three gas meter readings.</summary>
    internal static readonly byte[] BinaryConcentratorBatch =
        ConcentratorBatchTests.BinaryBatch(("gm-000001", BinaryGasMeter), ("gm-000002", BinaryGasMeter), ("gm-000003", BinaryGasMeter));

    [TestCase(false)]
    [TestCase(true)]
    public void TryRead_ConcentratorBatchWarmLoop_AllocatesZeroBytes(bool binary)
    {
        var payload = binary ? BinaryConcentratorBatch : JsonConcentratorBatch;
        var sink = BatchRound(payload);
        var allocated = new long[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            sink += BatchRound(payload);
            allocated[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // Three readings per batch: the budget is per reading, as for single payloads.
        Assert.That(sink, Is.GreaterThan(0), "nothing decoded");
        Assert.That(allocated, Has.All.LessThan(3 * PayloadsPerRound), "some round allocated a byte or more per reading");
        Assert.That(allocated.Min(), Is.Zero, $"no round was allocation-free: {string.Join(", ", allocated)}");
    }

    /// <summary>What the gateway does per batch: bound the items, split them checking the envelope, decode every item.</summary>
    private static long BatchRound(byte[] payload)
    {
        Span<MetricValue> metrics = stackalloc MetricValue[TelemetryFrame.MaxMetrics];
        long sum = 0;
        for (var i = 0; i < PayloadsPerRound; i++)
        {
            var count = ConcentratorBatch.MaxItems(payload);
            var batch = new ConcentratorBatch(payload);
            while (batch.TryRead(out var deviceId, out var item))
            {
                if (DevicePayload.TryDecode(item, 1, metrics, out var reading, out _))
                {
                    sum += reading.MetricCount + deviceId.Length + count;
                }
            }
        }

        return sum;
    }

    private static long DecodeRound(byte[] payload)
    {
        Span<MetricValue> metrics = stackalloc MetricValue[TelemetryFrame.MaxMetrics];
        long sum = 0;
        for (var i = 0; i < PayloadsPerRound; i++)
        {
            if (DevicePayload.TryDecode(payload, 1, metrics, out var reading, out _))
            {
                sum += reading.MetricCount + (long)reading.Sequence;
            }
        }

        return sum;
    }

    private static void AssertNoAllocationPerPayload(byte[] payload)
    {
        var sink = DecodeRound(payload);
        var allocated = new long[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            sink += DecodeRound(payload);
            allocated[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.That(sink, Is.GreaterThan(0), "nothing decoded");
        Assert.That(allocated, Has.All.LessThan(PayloadsPerRound), "some round allocated a byte or more per payload");
        Assert.That(allocated.Min(), Is.Zero, $"no round was allocation-free: {string.Join(", ", allocated)}");
    }
}
