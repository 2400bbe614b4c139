using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// The other transports with real clients: MQTT over TLS on a second port (a self-signed certificate made here, once
/// as PEM for the gateway), and MQTT over WebSocket with MQTT.js.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TransportConformanceTests
{
    private readonly GatewayFixture _gateway = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("sensing-tls-").FullName;
    private readonly int _tlsPort = FreePorts.Pick();
    private readonly int _wsPort = FreePorts.Pick();

    private string CertificatePem => Path.Combine(_directory, "gateway.crt");

    [OneTimeSetUp]
    public Task Start()
    {
        TestCertificates.WriteSelfSigned(CertificatePem, Path.Combine(_directory, "gateway.key"));
        return _gateway.StartAsync(GatewayFixture.Detectors("md-tls-4", "md-tls-5", "md-ws-4", "md-ws-5"), o => o with
        {
            TlsListen = $"127.0.0.1:{_tlsPort}",
            TlsCertificate = CertificatePem,
            TlsKey = Path.Combine(_directory, "gateway.key"),
            WebSocketListen = $"127.0.0.1:{_wsPort}",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [TestCase("md-tls-4", "mqttv311")]
    [TestCase("md-tls-5", "mqttv5")]
    public async Task MosquittoPub_OverTlsWithCaFile_ReadingInKafka(string device, string version)
    {
        var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", new IPEndPoint(IPAddress.Loopback, _tlsPort),
            "--cafile", CertificatePem, "-V", version, "-i", device, "-u", device, "-P", GatewayFixture.Password, "-q", "1",
            "-t", $"sensing/{device}/up", "-m", "{\"seq\":31,\"lel\":3}"));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 31));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(31UL));
    }

    [Test]
    public async Task MosquittoPub_PlainMqttToTlsPort_NotServed()
    {
        var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", new IPEndPoint(IPAddress.Loopback, _tlsPort),
            "-i", "md-tls-4", "-u", "md-tls-4", "-P", GatewayFixture.Password, "-q", "1", "-t", "sensing/md-tls-4/up", "-m", "{\"seq\":99,\"lel\":3}"),
            TimeSpan.FromSeconds(20));

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(_gateway.ReadingsOf("md-tls-4").Where(r => r.Sequence == 99), Is.Empty);
    }

    [TestCase("md-ws-4", "4")]
    [TestCase("md-ws-5", "5")]
    public async Task MqttJs_OverWebSocket_PublishesAndReceivesCommand(string device, string version)
    {
        await using var client = PeerClient.MqttJs(MqttJsScripts.OverUrl, $"ws://127.0.0.1:{_wsPort}/mqtt", device, GatewayFixture.Password, version, "41");
        Assert.That(await client.WaitForOutputAsync(TimeSpan.FromSeconds(20)), Is.True, "MQTT.js should publish over WebSocket");
        Assert.That(client.Output, Does.Contain("published"));
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Any(x => x.Sequence == 41));
        Assert.That(readings.Select(r => r.Sequence), Does.Contain(41UL));

        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.IsSubscribed(device)), Is.True);
        var command = await _gateway.SendCommandAsync(device, "valve-close", "cmd-" + device);
        var result = await client.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(result.Output, Does.Contain("message " + command), result.ToString());
    }

    [Test]
    public void LoadCertificate_PfxFile_HasPrivateKey()
    {
        using var pem = X509Certificate2.CreateFromPemFile(CertificatePem, Path.Combine(_directory, "gateway.key"));
        var pfx = Path.Combine(_directory, "gateway.pfx");
        File.WriteAllBytes(pfx, pem.Export(X509ContentType.Pkcs12));

        using var loaded = Sensing.Gateway.GatewayHost.LoadCertificate(new Sensing.Gateway.GatewayOptions { TlsCertificate = pfx });

        Assert.That(loaded.HasPrivateKey, Is.True);
        Assert.That(loaded.Thumbprint, Is.EqualTo(pem.Thumbprint));
    }

    [Test]
    public void GatewayOptions_TlsListenWithMissingCertificate_StartUpStopsNamingTheKey()
    {
        var options = new Sensing.Gateway.GatewayOptions { TlsListen = "127.0.0.1:8883", TlsCertificate = Path.Combine(_directory, "absent.pem") };

        Assert.That(() => options.Validate(), Throws.ArgumentException.With.Message.StartsWith("gateway.tlsCert: file"));
    }
}
