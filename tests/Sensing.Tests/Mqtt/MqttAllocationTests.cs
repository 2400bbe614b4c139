using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

/// <summary>
/// Zero allocation per packet, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>. Each loop runs in
/// several rounds after a warm-up: per-packet allocation would show in every round (at least one byte per packet),
/// while the runtime may allocate a few bytes once when it swaps in optimized code at an unpredictable moment (seen as
/// a one-time 24 B in Release builds). So every round must stay below one byte per packet, and the steady state (the
/// best round) must be exactly zero.
/// </summary>
public sealed class MqttAllocationTests
{
    private const int PacketsPerRound = 50_000;
    private const int Rounds = 8;

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

    /// <summary>Runs <paramref name="round"/> once to warm up, then <see cref="Rounds"/> times, measuring each.</summary>
    private static void AssertNoAllocationPerPacket(Func<long> round)
    {
        var sink = round();
        var allocated = new long[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            sink += round();
            allocated[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.That(sink, Is.GreaterThan(0), "the loop did no work");
        Assert.That(allocated, Has.All.LessThan(PacketsPerRound), "some round allocated a byte or more per packet");
        Assert.That(allocated.Min(), Is.Zero, $"no round was allocation-free: {string.Join(", ", allocated)}");
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public void DecodePublish_SingleSegmentWarmLoop_AllocatesZeroBytes(MqttProtocolVersion version)
    {
        var sequence = new ReadOnlySequence<byte>(TelemetryPublish(version));
        using var buffer = new MqttFrameBuffer();
        AssertNoAllocationPerPacket(() =>
        {
            long sum = 0;
            for (var i = 0; i < PacketsPerRound; i++)
            {
                sum += DecodePublish(sequence, buffer, version);
            }

            return sum;
        });
    }

    [Test]
    public void DecodePublish_SplitAcrossSegmentsWarmLoop_AllocatesZeroBytes()
    {
        var sequence = Split(TelemetryPublish(MqttProtocolVersion.V500), 3, 40, 100);
        using var buffer = new MqttFrameBuffer();
        AssertNoAllocationPerPacket(() =>
        {
            long sum = 0;
            for (var i = 0; i < PacketsPerRound; i++)
            {
                sum += DecodePublish(sequence, buffer, MqttProtocolVersion.V500);
            }

            return sum;
        });
    }

    [Test]
    public void WritePublishAndAcks_WarmLoop_AllocatesZeroBytes()
    {
        var writer = new ArrayBufferWriter<byte>(4096);
        var payload = new byte[120];
        AssertNoAllocationPerPacket(() =>
        {
            long written = 0;
            for (var i = 0; i < PacketsPerRound; i++)
            {
                writer.ResetWrittenCount();
                written += MqttPacketWriter.WritePublish(writer, MqttProtocolVersion.V500, "city/gas/meter-1"u8, payload, MqttQoS.AtLeastOnce, 1);
                written += MqttPacketWriter.WritePubAck(writer, MqttProtocolVersion.V500, 1);
                written += MqttPacketWriter.WriteConnAck(writer, false, MqttReasonCode.Success, new MqttConnAckProperties { ReceiveMaximum = 100, TopicAliasMaximum = 10 });
            }

            return written;
        });
    }

    [Test]
    public void AssertNoAllocationPerPacket_OneAllocationPerPacket_Fails()
    {
        // The guard itself must be able to fail: a loop that boxes once per packet (into an array, so the box escapes
        // and the JIT cannot keep it on the stack).
        var escape = new object?[1];
        Assert.That(() => AssertNoAllocationPerPacket(() =>
        {
            for (var i = 0; i < PacketsPerRound; i++)
            {
                escape[0] = i;
            }

            return 1;
        }), Throws.InstanceOf<AssertionException>());
    }
}
