using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// Bad input against a live gateway while a well-behaved paho client publishes at QoS 1: connections sending
/// malformed, truncated, oversize, out-of-order and random packets are closed, the good client keeps being
/// acknowledged, every reading it had acknowledged is in Kafka, and the gateway's heap stays bounded. The bad
/// connections are raw sockets written here: no real client sends such bytes.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LiveFuzzTests
{
    private const string Good = "md-good";
    private const string Bad = "md-fuzz";
    private static readonly TimeSpan FuzzDuration = TimeSpan.FromSeconds(12);
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start() => _gateway.StartAsync(GatewayFixture.Detectors(Good, Bad), o => o with { ConnectTimeout = TimeSpan.FromSeconds(2) });

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [Test]
    public async Task RawSockets_BadPacketsWhilePahoPublishes_BadClosedGoodServedNothingLost()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var good = PeerClient.Paho(PahoScripts.PublishSteadily,
            "127.0.0.1", _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Good, GatewayFixture.Password, "4",
            ((int)FuzzDuration.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(() => FuzzAsync(w, clock))).ToArray();
        var outcomes = (await Task.WhenAll(workers)).SelectMany(o => o).ToArray();
        var result = await PeerClient.RunAsync(good, TimeSpan.FromSeconds(60));

        var notClosed = outcomes.Where(o => o.Designed && !o.Closed).Select(o => o.Kind).ToArray();
        Assert.That(outcomes.Count(o => o.Designed), Is.GreaterThan(100), "the fuzzer should have opened many bad connections");
        Assert.That(notClosed, Is.Empty, "every connection sending a bad packet must be closed by the gateway");

        var acked = result.Output.Split('\n').Where(l => l.StartsWith("ack ", StringComparison.Ordinal))
            .Select(l => ulong.Parse(l[4..], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.That(acked.Count, Is.GreaterThan(50), "the good client should keep being acknowledged: " + result);
        var readings = await _gateway.WaitForReadingsAsync(Good, r => acked.IsSubsetOf(r.Select(x => x.Sequence)), TimeSpan.FromSeconds(30));
        Assert.That(acked.Except(readings.Select(r => r.Sequence)), Is.Empty, "every acknowledged reading must be in Kafka");

        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Counters.Connections == 0 && _gateway.Sessions.Count == 0), Is.True,
            $"no connection or session state left behind: {_gateway.Counters.Connections} connections, {_gateway.Sessions.Count} sessions");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Assert.That(heapGrowth, Is.LessThan(64L * 1024 * 1024), $"the heap grew by {heapGrowth:N0} bytes");
        TestContext.Progress.WriteLine($"live fuzz: {outcomes.Length} bad connections, {acked.Count} good readings acknowledged, heap growth {heapGrowth:N0} B");
    }

    private async Task<List<FuzzOutcome>> FuzzAsync(int worker, Stopwatch clock)
    {
        var random = new Random(worker * 7919);
        var outcomes = new List<FuzzOutcome>();
        while (clock.Elapsed < FuzzDuration)
        {
            var kind = (FuzzKind)random.Next(Enum.GetValues<FuzzKind>().Length);
            var bytes = Bytes(kind, random);
            outcomes.Add(new FuzzOutcome(kind, kind != FuzzKind.MutatedSession, await SendAndWaitForCloseAsync(bytes)));
        }

        return outcomes;
    }

    private async Task<bool> SendAndWaitForCloseAsync(byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_gateway.EndPoint);
        try
        {
            await socket.SendAsync(bytes);
        }
        catch (SocketException)
        {
            return true; // closed while we were still sending
        }

        // Bad packets close at once; incomplete ones at the connect timeout (2 s) or 1.5 x keep alive (1 s).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset: closed
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static byte[] Bytes(FuzzKind kind, Random random)
    {
        var connect = Connect(random.Next(2) == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500);
        return kind switch
        {
            // Remaining length cut off after a continuation byte, then nothing: closed by the connect timeout.
            FuzzKind.TruncatedRemainingLength => [0x10, 0xFF, 0xFF],
            // A fifth remaining-length byte: malformed (2.1.4: at most four).
            FuzzKind.FiveByteVarint => [.. connect, 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            // A declared length far above the gateway's maximum packet size.
            FuzzKind.HugeDeclaredLength => [.. connect, 0x32, 0xFF, 0xFF, 0xFF, 0x7F],
            // A topic with an overlong (invalid) UTF-8 encoding of NUL.
            FuzzKind.BadUtf8Topic => [.. connect, 0x30, 0x06, 0x00, 0x02, 0xC0, 0x80, (byte)'{', (byte)'}'],
            // SUBSCRIBE must have flags 0010 (3.8.1).
            FuzzKind.WrongFlags => [.. connect, 0x80, 0x08, 0x00, 0x01, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', 0x00],
            // A PUBLISH before CONNECT (3.1.0-1).
            FuzzKind.PacketBeforeConnect => [0x30, 0x05, 0x00, 0x01, (byte)'t', (byte)'{', (byte)'}'],
            // A second CONNECT (3.1.0-2).
            FuzzKind.SecondConnect => [.. connect, .. connect],
            // Random bytes from the first byte on.
            FuzzKind.RandomBytes => RandomBytes(random),
            // A valid session whose packets have random bytes flipped: may or may not stay valid.
            _ => Mutate([.. connect, .. Publish(), .. Publish(), .. Publish()], random),
        };
    }

    private static byte[] Connect(MqttProtocolVersion version)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        MqttPacketWriter.WriteConnect(writer, new MqttConnectRequest
        {
            Version = version, ClientId = Encoding.ASCII.GetBytes(Bad), UserName = Encoding.ASCII.GetBytes(Bad),
            Password = Encoding.ASCII.GetBytes(GatewayFixture.Password), KeepAliveSeconds = 1, CleanStart = true,
        });
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Publish()
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(writer, MqttProtocolVersion.V311, Encoding.ASCII.GetBytes($"sensing/{Bad}/up"), "{\"seq\":1,\"lel\":1}"u8, MqttQoS.AtLeastOnce, 7);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }

    private enum FuzzKind
    {
        TruncatedRemainingLength,
        FiveByteVarint,
        HugeDeclaredLength,
        BadUtf8Topic,
        WrongFlags,
        PacketBeforeConnect,
        SecondConnect,
        RandomBytes,
        MutatedSession,
    }

    private sealed record FuzzOutcome(FuzzKind Kind, bool Designed, bool Closed);
}
