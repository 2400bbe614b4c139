using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Sensing.Core.Devices;
using Sensing.Gateway;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// The plain MQTT endpoint's own socket transport (TcpDeviceListener, TcpDeviceConnection): a packet larger than one
/// receive buffer, a packet arriving a few bytes at a time, a malformed packet followed by more bytes than were read, a
/// stop with devices connected, and a port in use.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TcpEndpointTests
{
    private const int Meters = 300;
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start()
    {
        var hash = DeviceRegistryFile.HashSecret(GatewayFixture.Password);
        return _gateway.StartAsync(
        [
            .. GatewayFixture.Detectors("tc-slow", "tc-stop"),
            new DeviceInfo("tc-cc", DeviceKind.Concentrator, "d21", 900, hash) { Parameters = DeviceParameters.Parse("serves=district:d21") },
            .. Enumerable.Range(1, Meters).Select(i => new DeviceInfo($"tc-gm-{i}", DeviceKind.GasMeter, "d21", 900, "")),
        ]);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [Test]
    public async Task MqttNet5_BatchOfManyReceiveBuffers_EveryReadingInKafka()
    {
        // 300 readings in one PUBLISH: about 20 KB, five times the 4 KB the endpoint first receives into.
        var batch = "[" + string.Join(',', Enumerable.Range(1, Meters).Select(i =>
            $"{{\"device\":\"tc-gm-{i}\",\"seq\":{7000 + i},\"volume\":{i}.25,\"flow\":0.5}}")) + "]";
        Assert.That(batch.Length, Is.GreaterThan(4 * 4096));
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _gateway.EndPoint.Port)
            .WithClientId("tc-cc").WithCredentials("tc-cc", GatewayFixture.Password).WithProtocolVersion(MqttProtocolVersion.V500).Build());

        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("sensing/tc-cc/up").WithPayload(batch)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();

        Assert.That(result.IsSuccess, Is.True, result.ReasonString);
        foreach (var i in new[] { 1, 150, Meters })
        {
            var readings = await _gateway.WaitForReadingsAsync($"tc-gm-{i}", r => r.Length > 0);
            Assert.That(readings.Select(r => r.Sequence), Is.EqualTo(new[] { (ulong)(7000 + i) }), $"tc-gm-{i}");
        }

        Assert.That(Enumerable.Range(1, Meters).Count(i => _gateway.ReadingsOf($"tc-gm-{i}").Length == 1), Is.EqualTo(Meters));
    }

    [Test]
    public async Task RawSocket_PacketsThreeBytesAtATime_ConnAckPubAckAndReadingInKafka()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_gateway.EndPoint);
        var packets = Connect311("tc-slow", GatewayFixture.Password).Concat(Publish311Qos1("sensing/tc-slow/up", 9, """{"seq":4242,"lel":3}""")).ToArray();
        for (var i = 0; i < packets.Length; i += 3)
        {
            await socket.SendAsync(packets.AsMemory(i, Math.Min(3, packets.Length - i)));
            await Task.Delay(2);
        }

        var answer = await ReceiveAsync(socket, 8);
        // 3.1.1 3.2: CONNACK accepted; 3.4: PUBACK of packet id 9.
        Assert.That(answer, Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x00, 0x40, 0x02, 0x00, 0x09 }));
        var readings = await _gateway.WaitForReadingsAsync("tc-slow", r => r.Length > 0);
        Assert.That(readings.Select(r => r.Sequence), Is.EqualTo(new[] { 4242UL }));
    }

    [Test]
    public async Task RawSocket_MalformedPacketAndMoreBytesThanRead_ClosedWithAnEndOfStreamNotAReset()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_gateway.EndPoint);
        // Packet type 0 is reserved (3.1.1 2.2.1): the gateway closes at the first byte, with 64 KB behind it unread.
        var noise = new byte[64 * 1024];
        new Random(5).NextBytes(noise);
        noise[0] = 0x00;
        await socket.SendAsync(noise);
        await Task.Delay(300);
        // Still sending after the gateway's close, as a device that has not read yet does.
        await socket.SendAsync(noise.AsMemory(1, 1024));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64];
        var received = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
        {
            received += n;
        }

        // A reset throws above (ConnectionReset) instead of the end of the stream.
        Assert.That(received, Is.Zero, "nothing is answered to a reserved packet type");
    }

    [Test]
    public async Task Stop_WithADeviceConnected_ClosesItAndReturns()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Pick());
        var registry = new DeviceRegistry();
        registry.Upsert(GatewayFixture.Detectors("tc-stop"));
        var gateway = GatewayHost.Build(new GatewayOptions { Listen = endPoint.ToString(), GatewayId = "it-stop" }, _gateway.KafkaOptions, registry,
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        await socket.SendAsync(Connect311("tc-stop", GatewayFixture.Password));
        Assert.That(await ReceiveAsync(socket, 4), Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x00 }));

        var stopping = Stopwatch.StartNew();
        await gateway.StopAsync();
        stopping.Stop();
        await gateway.DisposeAsync();

        Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the stop does not wait for the device");
        Assert.That(await ClosedAsync(socket), Is.True, "the device's connection is closed");
        Assert.That(() => new TcpClient().Connect(endPoint), Throws.InstanceOf<SocketException>(), "nothing listens any more");
    }

    [Test]
    public void Start_PortInUse_FailsNamingTheKeyAndTheAddress()
    {
        var registry = new DeviceRegistry();
        var gateway = GatewayHost.Build(new GatewayOptions { Listen = _gateway.EndPoint.ToString(), GatewayId = "it-busy" }, _gateway.KafkaOptions, registry,
            logging => logging.SetMinimumLevel(LogLevel.Critical));

        var failure = Assert.ThrowsAsync<IOException>(() => gateway.StartAsync());

        Assert.That(failure!.Message, Does.StartWith($"gateway.listen: cannot listen on {_gateway.EndPoint}"));
        gateway.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }

    private static async Task<bool> ClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64];
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // MQTT 3.1.1 3.1: CONNECT with clean session, user name and password, keep alive 60 s.
    private static byte[] Connect311(string id, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        foreach (var text in new[] { id, id, password })
        {
            AddString(body, text);
        }

        return [0x10, .. RemainingLength(body.Count), .. body];
    }

    // MQTT 3.1.1 3.3: PUBLISH QoS 1.
    private static byte[] Publish311Qos1(string topic, ushort packetId, string payload)
    {
        var body = new List<byte>();
        AddString(body, topic);
        body.Add((byte)(packetId >> 8));
        body.Add((byte)packetId);
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return [0x32, .. RemainingLength(body.Count), .. body];
    }

    private static void AddString(List<byte> body, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        body.Add((byte)(bytes.Length >> 8));
        body.Add((byte)bytes.Length);
        body.AddRange(bytes);
    }

    private static List<byte> RemainingLength(int length)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        return bytes;
    }
}
