using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttAllocationTests
{
    private const int WarmUp = 20_000;
    private const int Measured = 100_000;

    private static byte[] TelemetryPublish(MqttProtocolVersion version) => Encode(w => MqttPacketWriter.WritePublish(
        w, version, "city/gas/meter-000123/telemetry"u8, new byte[120], MqttQoS.AtLeastOnce, 17, false, false,
        new MqttPublishProperties { MessageExpiryInterval = 60, UserPropertyName = "traceparent"u8, UserPropertyValue = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8 }));

    private static long DecodePublish(in ReadOnlySequence<byte> sequence, MqttFrameBuffer buffer, MqttProtocolVersion version)
    {
        if (MqttFrameReader.TryRead(sequence, MaxPacketSize, buffer, out var frame, out _, out _) != MqttFrameStatus.Complete
            || !MqttPublish.TryDecode(frame, version, out var publish, out _))
        {
            return -1;
        }

        long sum = publish.Topic.Length + publish.Payload.Length + publish.PacketId + (publish.MessageExpiryInterval ?? 0);
        foreach (var p in publish.Properties)
        {
            sum += p.Bytes.Length + p.PairValue.Length;
        }

        return sum;
    }

    private static long Measure(in ReadOnlySequence<byte> sequence, MqttFrameBuffer buffer, MqttProtocolVersion version, out long sink)
    {
        sink = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            sink += DecodePublish(sequence, buffer, version);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Measured; i++)
        {
            sink += DecodePublish(sequence, buffer, version);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void DecodePublish_SingleSegmentWarmLoop_AllocatesZeroBytes(MqttProtocolVersion version)
    {
        var sequence = new ReadOnlySequence<byte>(TelemetryPublish(version));
        using var buffer = new MqttFrameBuffer();

        var allocated = Measure(sequence, buffer, version, out var sink);

        Assert.That(sink, Is.GreaterThan(0), "the loop decoded nothing");
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void DecodePublish_SplitAcrossSegmentsWarmLoop_AllocatesZeroBytes()
    {
        var packet = TelemetryPublish(MqttProtocolVersion.V500);
        var sequence = Split(packet, 3, 40, 100);
        using var buffer = new MqttFrameBuffer();

        var allocated = Measure(sequence, buffer, MqttProtocolVersion.V500, out var sink);

        Assert.That(sink, Is.GreaterThan(0));
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    [Ignore("Release builds show a one-time 24 B allocation in this loop (not per packet: the same with 2x the warm-up); open defect, see the issue note")]
    public void WritePublishAndAcks_WarmLoop_AllocatesZeroBytes()
    {
        var writer = new ArrayBufferWriter<byte>(4096);
        var payload = new byte[120];
        long written = 0;
        long before = 0;
        for (var round = 0; round < 2; round++)
        {
            if (round == 1)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            for (var i = 0; i < WarmUp; i++)
            {
                writer.ResetWrittenCount();
                written += MqttPacketWriter.WritePublish(writer, MqttProtocolVersion.V500, "city/gas/meter-1"u8, payload, MqttQoS.AtLeastOnce, 1);
                written += MqttPacketWriter.WritePubAck(writer, MqttProtocolVersion.V500, 1);
                written += MqttPacketWriter.WriteConnAck(writer, false, MqttReasonCode.Success, new MqttConnAckProperties { ReceiveMaximum = 100, TopicAliasMaximum = 10 });
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(written, Is.GreaterThan(0));
        Assert.That(allocated, Is.Zero);
    }
}
