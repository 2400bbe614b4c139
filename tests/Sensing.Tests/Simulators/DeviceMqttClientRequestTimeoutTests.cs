using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.Tests.Simulators;

/// <summary>
/// The simulated device's client gives up on a SUBSCRIBE that is never answered. The server is a fake: no real broker
/// withholds a SUBACK on purpose, and that silence is what is tested.
/// </summary>
[TestFixture]
public sealed class DeviceMqttClientRequestTimeoutTests
{
    [Test]
    public async Task SubscribeAsync_FakeServerNeverSendsSubAck_ClosesWithRequestTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = SilentAfterConnAckAsync(listener);

        await using var client = new DeviceMqttClient();
        await client.ConnectAsync(new DeviceMqttConnectOptions
        {
            Port = port,
            ClientId = "gm-silent",
            KeepAliveSeconds = 0,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });
        var clock = Stopwatch.StartNew();

        var subscribe = client.SubscribeAsync("sensing/gm-silent/down", MqttQoS.AtLeastOnce).AsTask();
        Assert.That(await Task.WhenAny(subscribe, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(subscribe), "the subscribe ended");
        var error = Assert.ThrowsAsync<MqttClientException>(async () => await subscribe);

        Assert.Multiple(() =>
        {
            Assert.That(error!.Reason, Is.EqualTo(DeviceMqttCloseReason.RequestTimeout));
            Assert.That(error.Message, Does.Contain("no SUBACK"));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(client.IsConnected, Is.False);
        });
        Assert.That(await server.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the server saw the connection end");
    }

    // Accepts one connection, answers its CONNECT with an accepting 3.1.1 CONNACK, then reads and answers nothing
    // until the client closes; true when it did.
    private static async Task<bool> SilentAfterConnAckAsync(TcpListener listener)
    {
        using var socket = await listener.AcceptSocketAsync();
        var buffer = new byte[1024];
        var read = await socket.ReceiveAsync(buffer);
        Assert.That(read, Is.GreaterThan(0));
        Assert.That(buffer[0], Is.EqualTo(0x10), "CONNECT first");
        await socket.SendAsync(new byte[] { 0x20, 0x02, 0x00, 0x00 });
        while (await socket.ReceiveAsync(buffer) > 0)
        {
            // SUBSCRIBE, then DISCONNECT: left unanswered.
        }

        return true;
    }
}
