using System.Text;
using NUnit.Framework;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;

namespace Sensing.Tests.Payloads;

public sealed class ConcentratorBatchTests
{
    /// <summary>Three gas meter readings as a JSON batch, one of them with a nested field the reading decoder refuses.</summary>
    internal static readonly byte[] JsonBatch =
        """
        [ {"device":"gm-000001","seq":7,"ts":1795667580000,"volume":12.5,"flow":0.4},
          {"seq":3,"device":"gm-000002","flow":0,"extra":{"a":[1,2]}},
          {"device":"gm-000003","seq":9,"valve":"closed"} ]
        """u8.ToArray();

    /// <summary>Two binary items (ids gm-000001 and gm-000002) in a 0xB2 batch.</summary>
    internal static byte[] BinaryBatch(params (string Id, byte[] Reading)[] items)
    {
        var bytes = new List<byte> { ConcentratorBatch.Marker };
        foreach (var (id, reading) in items)
        {
            bytes.Add((byte)id.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(id));
            bytes.AddRange(reading);
        }

        return [.. bytes];
    }

    [Test]
    public void TryRead_JsonBatch_GivesEachItemWithItsDeviceAndAWholeReading()
    {
        var items = ReadAll(JsonBatch, out var error);

        Assert.That(error, Is.EqualTo(PayloadError.None));
        Assert.That(items.Select(i => i.Id), Is.EqualTo(new[] { "gm-000001", "gm-000002", "gm-000003" }));
        Assert.That(items[0].Decoded, Is.EqualTo((true, 7UL, 2)));
        Assert.That(items[1].Error, Is.EqualTo(PayloadError.UnexpectedNesting), "the item's own fault is the reading decoder's to name");
        Assert.That(items[2].Decoded, Is.EqualTo((true, 9UL, 1)));
    }

    [Test]
    public void TryRead_BinaryBatch_GivesEachReadingAsTheDeviceWouldSendIt()
    {
        var first = DevicePayloadTests.Binary(41, 1_795_667_580_000, [new(Metric.GasVolume, 10), new(Metric.GasFlow, 0.5)]);
        var second = DevicePayloadTests.Binary(42, 0, [new(Metric.MethaneLel, 31)]);
        var items = ReadAll(BinaryBatch(("gm-000001", first), ("md-000002", second)), out var error);

        Assert.That(error, Is.EqualTo(PayloadError.None));
        Assert.That(items.Select(i => i.Id), Is.EqualTo(new[] { "gm-000001", "md-000002" }));
        Assert.That(items[0].Reading, Is.EqualTo(first));
        Assert.That(items[1].Reading, Is.EqualTo(second));
        Assert.That(items[1].Decoded, Is.EqualTo((true, 42UL, 1)));
    }

    [Test]
    public void TryRead_ItemWithoutDeviceOrWithABadId_GivesAnEmptyId()
    {
        var items = ReadAll("""[{"seq":1,"flow":0},{"device":"no spaces","seq":2,"flow":0},{"device":7,"seq":3,"flow":0}]"""u8.ToArray(), out var error);

        Assert.That(error, Is.EqualTo(PayloadError.None));
        Assert.That(items.Select(i => i.Id), Is.EqualTo(new[] { "", "", "" }));
    }

    [TestCase("""{"device":"gm-1","seq":1,"flow":0}""", PayloadError.NotABatch)]
    [TestCase("""[{"device":"gm-1","seq":1,"flow":0}, 5]""", PayloadError.NotABatch)]
    [TestCase("""[{"device":"gm-1","seq":1,"flow":0}""", PayloadError.MalformedJson)]
    [TestCase("""[{"device":"gm-1","seq":1,"flow":0}] x""", PayloadError.MalformedJson)]
    [TestCase("""[]""", PayloadError.EmptyBatch)]
    [TestCase("", PayloadError.NotABatch)]
    public void TryCount_MalformedJsonEnvelope_NamesTheReason(string payload, PayloadError expected)
    {
        Assert.That(ConcentratorBatch.TryCount(Encoding.UTF8.GetBytes(payload), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void TryCount_BinaryBatchCutShort_IsBinaryTruncated()
    {
        var batch = BinaryBatch(("gm-000001", DevicePayloadTests.Binary(1, 0, [new(Metric.GasFlow, 0.5)])));

        Assert.That(ConcentratorBatch.TryCount(batch, out var whole, out _), Is.True);
        Assert.That(whole, Is.EqualTo(1));
        Assert.That(ConcentratorBatch.TryCount(batch.AsSpan(0, batch.Length - 1), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.BinaryTruncated));
        Assert.That(ConcentratorBatch.TryCount([ConcentratorBatch.Marker], out _, out error), Is.False);
        Assert.That(error, Is.EqualTo(PayloadError.EmptyBatch));
    }

    [Test]
    public void MaxItems_ShortestItemsAndNestedJson_NeverBelowTheItemsRead()
    {
        // Binary items whose reading has no metric are the shortest (16 bytes); the reading decoder refuses them later.
        var empty = new byte[BinaryReadingDecoder.HeaderLength];
        empty[0] = BinaryReadingDecoder.Marker;
        var binary = BinaryBatch(("a", empty), ("b", empty), ("c", empty));
        Assert.That(ConcentratorBatch.TryCount(binary, out var count, out _), Is.True);
        Assert.That(ConcentratorBatch.MaxItems(binary), Is.GreaterThanOrEqualTo(count).And.EqualTo(3));

        Assert.That(ConcentratorBatch.TryCount(JsonBatch, out count, out _), Is.True);
        Assert.That(ConcentratorBatch.MaxItems(JsonBatch), Is.GreaterThanOrEqualTo(count));
    }

    private static List<(string Id, byte[] Reading, PayloadError Error, (bool, ulong, int) Decoded)> ReadAll(byte[] payload, out PayloadError error)
    {
        var items = new List<(string, byte[], PayloadError, (bool, ulong, int))>();
        var batch = new ConcentratorBatch(payload);
        var metrics = new MetricValue[TelemetryFrame.MaxMetrics];
        while (batch.TryRead(out var id, out var reading))
        {
            var ok = DevicePayload.TryDecode(reading, 1, metrics, out var decoded, out var itemError);
            items.Add((Encoding.ASCII.GetString(id), reading.ToArray(), itemError, (ok, decoded.Sequence, decoded.MetricCount)));
        }

        error = batch.Error;
        return items;
    }
}
