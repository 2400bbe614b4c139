using System.Buffers;
using NUnit.Framework;
using Sensing.Storage;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class LineProtocolWriterAllocationTests
{
    private const int Points = 100_000;
    private const int PointsPerReset = 1000;

    [Test]
    public void EndLine_AfterWarmUp_AllocatesNothingPerPoint()
    {
        // The sink is reset (not reallocated) every PointsPerReset points so it stops growing after warm-up.
        var output = new ArrayBufferWriter<byte>(256 * PointsPerReset);
        var writer = new LineProtocolWriter(output);
        var devices = new string[100];
        for (var i = 0; i < devices.Length; i++)
        {
            devices[i] = $"md {i:D5}";
        }

        void Run()
        {
            for (var i = 0; i < Points; i++)
            {
                if (i % PointsPerReset == 0)
                {
                    output.ResetWrittenCount();
                }

                writer.Measurement("gas meter"u8)
                    .Tag("device"u8, devices[i % devices.Length])
                    .Tag("district"u8, "laoshan,3"u8)
                    .Field("lel"u8, i * 0.125)
                    .Field("nan"u8, double.NaN)
                    .Field("seq"u8, (long)i)
                    .Field("valve"u8, (i & 1) == 0)
                    .StringField("note"u8, "say \"ok\"")
                    .EndLine(1_700_000_000_000 + i);
            }
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(writer.LinesWritten, Is.EqualTo(2 * Points));
        Assert.That(allocated, Is.Zero, $"{(double)allocated / Points:F2} bytes per point");
    }

    [Test]
    public async Task StoreWriterTryAppend_FakeStoreAfterWarmUp_AllocatesNothingPerPoint()
    {
        await using var store = new FakeStore();
        await using var writer = new StoreWriter(StoreWriterOptions.Default with { Url = store.Url });

        // Warm-up: a full round trip, then one append so the next batch's pooled array is rented.
        var refused = AppendPoints(writer, PointsPerReset);
        await writer.FlushAsync();
        refused += AppendPoints(writer, 1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        refused += AppendPoints(writer, PointsPerReset);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await writer.FlushAsync();

        Assert.That(refused, Is.Zero);
        Assert.That(allocated, Is.Zero, $"{(double)allocated / PointsPerReset:F2} bytes per point");
        Assert.That(writer.Counters.PointsWritten, Is.EqualTo(2 * PointsPerReset + 1));
    }

    private static int AppendPoints(StoreWriter writer, int count)
    {
        // Asserting inside the loop would allocate NUnit constraints; count refusals and assert once.
        var refused = 0;
        for (var i = 0; i < count; i++)
        {
            if (!writer.TryAppend(i, static (w, n) => w.Measurement("gas"u8).Tag("device"u8, "md-00001"u8)
                    .Field("lel"u8, n * 0.5).Field("seq"u8, (long)n).EndLine(1_700_000_000_000 + n)))
            {
                refused++;
            }
        }

        return refused;
    }
}
