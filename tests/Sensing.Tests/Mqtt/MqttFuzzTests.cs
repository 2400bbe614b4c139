using System.Buffers;
using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttFuzzTests
{
    private const int Iterations = 200_000;
    private const int Seed = 20_240_611;

    [Test]
    public void Decode_200kRandomAndMutatedPackets_NeverThrowsAndFramingAgreesAcrossSegments()
    {
        var random = new Random(Seed);
        var corpus = BuildCorpus();
        using var single = new MqttFrameBuffer();
        using var split = new MqttFrameBuffer();
        var complete = 0;
        var decoded = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(random, corpus);
            try
            {
                var (c, d) = Exercise(input, random, single, split);
                complete += c;
                decoded += d;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i} threw {e.GetType().Name} for input {Convert.ToHexString(input)}: {e.Message}");
            }
        }

        // The mutations must keep reaching the decoders, or the test proves nothing.
        Assert.That(complete, Is.GreaterThan(Iterations / 4));
        Assert.That(decoded, Is.GreaterThan(Iterations / 20));
    }

    private static (int Complete, int Decoded) Exercise(byte[] input, Random random, MqttFrameBuffer single, MqttFrameBuffer split)
    {
        var decoded = 0;

        // Decoders straight on the bytes, whatever their length: header byte + arbitrary body.
        if (input.Length > 0)
        {
            decoded += DecodeAll(new MqttFrame(input[0], input.AsSpan(1)));
        }

        var whole = new ReadOnlySequence<byte>(input);
        var status = MqttFrameReader.TryRead(whole, MaxPacketSize, single, out var frame, out var consumed, out _);
        var cuts = new[] { random.Next(input.Length + 1), random.Next(input.Length + 1) };
        var pieces = Split(input, cuts);
        var splitStatus = MqttFrameReader.TryRead(pieces, MaxPacketSize, split, out var splitFrame, out var splitConsumed, out _);
        if (splitStatus != status)
        {
            Assert.Fail($"single segment gave {status}, split at {cuts[0]}/{cuts[1]} gave {splitStatus} for {Convert.ToHexString(input)}");
        }

        if (status != MqttFrameStatus.Complete)
        {
            return (0, decoded);
        }

        if (splitFrame.Header != frame.Header || !splitFrame.Body.SequenceEqual(frame.Body)
            || whole.Slice(consumed).Length != pieces.Slice(splitConsumed).Length)
        {
            Assert.Fail($"split framing differs for {Convert.ToHexString(input)}");
        }

        return (1, decoded + DecodeAll(frame));
    }

    /// <summary>Runs every decoder in both versions and touches every field of what decodes.</summary>
    private static int DecodeAll(MqttFrame frame)
    {
        var ok = 0;
        long sink = 0;
        foreach (var version in Versions)
        {
            if (MqttConnect.TryDecode(frame, out var connect, out _))
            {
                ok++;
                sink += connect.ClientId.Length + connect.WillTopic.Length + connect.WillPayload.Length + connect.UserName.Length
                    + connect.Password.Length + connect.SessionExpiryInterval + connect.ReceiveMaximum + connect.MaximumPacketSize
                    + connect.TopicAliasMaximum + connect.WillDelayInterval + Touch(connect.Properties) + Touch(connect.WillProperties);
            }

            if (MqttPublish.TryDecode(frame, version, out var publish, out _) | MqttPublish.TryDecodeFromServer(frame, version, out publish, out _))
            {
                ok++;
                sink += publish.Topic.Length + publish.Payload.Length + publish.TopicAlias + publish.PayloadFormatIndicator
                    + (publish.MessageExpiryInterval ?? 0) + publish.ContentType.Length + publish.ResponseTopic.Length
                    + publish.CorrelationData.Length + Touch(publish.Properties);
            }

            if (MqttPublishAck.TryDecode(frame, version, out var ack, out _))
            {
                ok++;
                sink += ack.PacketId + (int)ack.ReasonCode + ack.ReasonString.Length + Touch(ack.Properties);
            }

            if (MqttSubscribe.TryDecode(frame, version, out var subscribe, out _))
            {
                ok++;
                var count = 0;
                foreach (var s in subscribe)
                {
                    count++;
                    sink += s.Filter.Length + s.Options.Value + (MqttTopic.IsValidFilter(s.Filter) ? 1 : 0);
                }

                Assert.That(count, Is.EqualTo(subscribe.Count));
                sink += subscribe.SubscriptionIdentifier + Touch(subscribe.Properties);
            }

            if (MqttUnsubscribe.TryDecode(frame, version, out var unsubscribe, out _))
            {
                ok++;
                foreach (var f in unsubscribe)
                {
                    sink += f.Length;
                }
            }

            if (MqttConnAck.TryDecode(frame, version, out var connAck, out _))
            {
                ok++;
                sink += connAck.ReceiveMaximum + connAck.MaximumPacketSize + connAck.AssignedClientIdentifier.Length
                    + connAck.TopicAliasMaximum + (connAck.ServerKeepAlive ?? 0) + (connAck.SessionExpiryInterval ?? 0) + Touch(connAck.Properties);
            }

            if (MqttSubAck.TryDecode(frame, version, out var subAck, out _))
            {
                ok++;
                sink += subAck.ReasonCodes.Length + Touch(subAck.Properties);
            }

            if (MqttUnsubAck.TryDecode(frame, version, out var unsubAck, out _))
            {
                ok++;
                sink += unsubAck.ReasonCodes.Length;
            }

            if (MqttDisconnect.TryDecode(frame, version, out var disconnect, out _))
            {
                ok++;
                sink += disconnect.ReasonString.Length + (disconnect.SessionExpiryInterval ?? 0) + disconnect.ServerReference.Length;
            }

            if (MqttAuth.TryDecode(frame, version, out var auth, out _))
            {
                ok++;
                sink += auth.AuthenticationMethod.Length + auth.AuthenticationData.Length;
            }
        }

        ok += MqttPing.TryDecodeRequest(frame, out _) ? 1 : 0;
        ok += MqttPing.TryDecodeResponse(frame, out _) ? 1 : 0;
        return sink >= 0 ? ok : -1;
    }

    private static long Touch(MqttProperties properties)
    {
        long sum = 0;
        foreach (var p in properties)
        {
            sum += (int)p.Id + p.Integer + p.Bytes.Length + p.PairValue.Length;
        }

        return sum;
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var source = corpus[random.Next(corpus.Count)];
        switch (random.Next(6))
        {
            case 0:
            {
                // Pure noise.
                var noise = new byte[random.Next(0, 48)];
                random.NextBytes(noise);
                return noise;
            }

            case 1:
            {
                // Flip a few bytes anywhere.
                var copy = (byte[])source.Clone();
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
                }

                return copy;
            }

            case 2:
                // Truncate.
                return source[..random.Next(source.Length + 1)];
            case 3:
            {
                // Append noise.
                var tail = new byte[random.Next(1, 16)];
                random.NextBytes(tail);
                return [.. source, .. tail];
            }

            default:
            {
                // Mutate the body but fix up the remaining length, so the packet frames and reaches the decoders.
                var read = MqttVariableByteInteger.TryRead(source.AsSpan(1), out var length);
                var body = source.AsSpan(1 + read, length).ToArray().ToList();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var at = body.Count == 0 ? 0 : random.Next(body.Count);
                    switch (random.Next(3))
                    {
                        case 0 when body.Count > 0:
                            body[at] = (byte)random.Next(256);
                            break;
                        case 1 when body.Count > 0:
                            body.RemoveAt(at);
                            break;
                        default:
                            body.Insert(at, (byte)random.Next(256));
                            break;
                    }
                }

                var header = random.Next(8) == 0 ? (byte)random.Next(256) : source[0];
                return Packet(header, [.. body]);
            }
        }
    }

    private static List<byte[]> BuildCorpus()
    {
        var corpus = new List<byte[]>();
        foreach (var version in Versions)
        {
            var v5 = version == MqttProtocolVersion.V500;
            corpus.Add(Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest
            {
                Version = version, ClientId = "dev-1"u8, CleanStart = true, KeepAliveSeconds = 30, UserName = "u"u8, Password = "p"u8,
                WillTopic = "w/t"u8, WillPayload = "gone"u8, WillQoS = MqttQoS.AtLeastOnce, WillDelayInterval = 5,
                SessionExpiryInterval = 60, ReceiveMaximum = 10, MaximumPacketSize = 1000, TopicAliasMaximum = 3,
                UserPropertyName = "k"u8, UserPropertyValue = "v"u8,
            })));
            corpus.Add(Encode(w => MqttPacketWriter.WriteConnect(w, new MqttConnectRequest { Version = version, ClientId = "x"u8, CleanStart = true })));
            corpus.Add(Encode(w => MqttPacketWriter.WritePublish(w, version, "a/b/c"u8, "payload"u8, MqttQoS.AtLeastOnce, 9, true, true,
                new MqttPublishProperties { TopicAlias = 1, MessageExpiryInterval = 5, ContentType = "t"u8, UserPropertyName = "a"u8, UserPropertyValue = "b"u8 })));
            corpus.Add(Encode(w => MqttPacketWriter.WritePublish(w, version, "t"u8, "x"u8)));
            corpus.Add(Encode(w => MqttPacketWriter.WritePublish(w, version, "t"u8, "x"u8, MqttQoS.AtMostOnce, 0, false, false, new MqttPublishProperties { SubscriptionIdentifier = 7, CorrelationData = "c"u8, ResponseTopic = "r"u8 })));
            corpus.Add(Encode(w => MqttPacketWriter.WritePubAck(w, version, 1, MqttReasonCode.NoMatchingSubscribers, "r"u8)));
            corpus.Add(Encode(w => MqttPacketWriter.WritePubRec(w, version, 2)));
            corpus.Add(Encode(w => MqttPacketWriter.WritePubRel(w, version, 3, MqttReasonCode.PacketIdentifierNotFound)));
            corpus.Add(Encode(w => MqttPacketWriter.WritePubComp(w, version, 4)));
            corpus.Add(Encode(w => MqttPacketWriter.WriteSubscribe(w, version, 5,
                [new MqttSubscriptionRequest("a/+"u8.ToArray(), new MqttSubscriptionOptions(MqttQoS.AtLeastOnce, v5)), new MqttSubscriptionRequest("#"u8.ToArray(), default)], 12)));
            corpus.Add(Encode(w => MqttPacketWriter.WriteUnsubscribe(w, version, 6, "a/+"u8)));
            corpus.Add(Encode(w => MqttPacketWriter.WriteSubAck(w, version, 5, [MqttReasonCode.GrantedQoS1, MqttReasonCode.UnspecifiedError], "s"u8)));
            corpus.Add(Encode(w => MqttPacketWriter.WriteUnsubAck(w, version, 6, [MqttReasonCode.Success])));
            corpus.Add(Encode(w => MqttPacketWriter.WriteDisconnect(w, version, MqttReasonCode.ServerBusy, "busy"u8, v5 ? 1u : null)));
            corpus.Add(v5
                ? Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttReasonCode.Success, new MqttConnAckProperties { ReceiveMaximum = 5, AssignedClientIdentifier = "id"u8, ServerKeepAlive = 9, MaximumQoS = MqttQoS.AtLeastOnce }))
                : Encode(w => MqttPacketWriter.WriteConnAck(w, true, MqttConnectReturnCode.Accepted)));
        }

        corpus.Add(Encode(w => MqttPacketWriter.WriteAuth(w, MqttReasonCode.ContinueAuthentication, "m"u8, "d"u8)));
        corpus.Add(Encode(MqttPacketWriter.WritePingReq));
        corpus.Add(Encode(MqttPacketWriter.WritePingResp));
        return corpus;
    }
}
