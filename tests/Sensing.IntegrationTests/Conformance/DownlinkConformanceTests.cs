namespace Sensing.IntegrationTests.Conformance;

/// <summary>
/// Commands from <c>sensing.commands</c> delivered to real clients on <c>sensing/{device}/down</c>: to a connected
/// subscriber, and to a persistent session that was offline when the command came (queued, delivered on reconnect,
/// CONNACK session present set).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DownlinkConformanceTests
{
    private readonly GatewayFixture _gateway = new();

    [OneTimeSetUp]
    public Task Start() => _gateway.StartAsync(GatewayFixture.Detectors("gm-sub-4", "gm-sub-5", "gm-persist-4", "gm-persist-5", "gm-clean"));

    [OneTimeTearDown]
    public async Task Stop() => await _gateway.DisposeAsync();

    [TestCase("gm-sub-4", "mqttv311")]
    [TestCase("gm-sub-5", "mqttv5")]
    public async Task MosquittoSub_SubscribedToDownlink_ReceivesCommandAtQoS1(string device, string version)
    {
        var acknowledged = _gateway.Sessions.CommandsAcknowledged;
        await using var subscriber = PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint,
            "-V", version, "-i", device, "-u", device, "-P", GatewayFixture.Password, "-q", "1", "-t", $"sensing/{device}/down", "-C", "1", "-v");
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.IsSubscribed(device)), Is.True, "mosquitto_sub should subscribe");

        var command = await _gateway.SendCommandAsync(device, "valve-close", "cmd-" + device);
        var result = await subscriber.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Is.EqualTo($"sensing/{device}/down {command}"));
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.CommandsAcknowledged > acknowledged), Is.True,
            "mosquitto_sub's PUBACK should complete the QoS 1 delivery");
    }

    [TestCase("gm-persist-4", "4")]
    [TestCase("gm-persist-5", "5")]
    public async Task MqttJs_PersistentSessionOffline_CommandQueuedAndDeliveredOnReconnect(string device, string version)
    {
        var subscribe = await PeerClient.RunAsync(PeerClient.MqttJs(MqttJsScripts.PersistentDownlink, Args(device, version, "subscribe")));
        Assert.That(subscribe.Output, Does.Contain("granted 1"), subscribe.ToString());
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.IsSubscribed(device) && _gateway.Counters.Connections == 0), Is.True);

        var command = await _gateway.SendCommandAsync(device, "valve-close", "cmd-" + device);
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.QueuedFor(device) == 1), Is.True, "the command should wait in the session");

        var receive = await PeerClient.RunAsync(PeerClient.MqttJs(MqttJsScripts.PersistentDownlink, Args(device, version, "receive")));
        Assert.That(receive.Output, Does.Contain("connack sessionPresent=true"), receive.ToString());
        Assert.That(receive.Output, Does.Contain($"message sensing/{device}/down qos=1 {command}"), receive.ToString());
        Assert.That(_gateway.Sessions.QueuedFor(device), Is.Zero);
    }

    // Like a retained message, a command not yet acknowledged reaches the device on its next connection even without a
    // session (the gateways' command ledger): an NB-IoT meter that connects with a clean session still gets its valve-close.
    [Test]
    public async Task MosquittoSub_CleanSessionOffline_SessionNotPresent_PendingCommandDeliveredOnNextConnect()
    {
        const string device = "gm-clean";
        var subscribe = await PeerClient.RunAsync(PeerClient.MqttJs(MqttJsScripts.PersistentDownlink, Args(device, "4", "subscribe")));
        Assert.That(subscribe.Output, Does.Contain("granted 1"), subscribe.ToString());

        // A clean session (mosquitto_sub's default) replaces the persistent one and ends with its connection.
        var clean = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint,
            "-i", device, "-u", device, "-P", GatewayFixture.Password, "-t", $"sensing/{device}/down", "-W", "1"));
        Assert.That(clean.ExitCode, Is.Not.EqualTo(-1), clean.ToString());
        Assert.That(await GatewayFixture.EventuallyAsync(() => !_gateway.Sessions.IsSubscribed(device)), Is.True);
        var withoutSession = _gateway.Sessions.CommandsWithoutSession;
        Assert.That(_gateway.Sessions.QueuedFor(device), Is.Zero);

        var command = await _gateway.SendCommandAsync(device, "valve-open", "cmd-clean");
        Assert.That(await GatewayFixture.EventuallyAsync(() => _gateway.Sessions.CommandsWithoutSession > withoutSession), Is.True,
            "the command should find no session to keep it");
        var receive = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_sub", _gateway.EndPoint,
            "-i", device, "-u", device, "-P", GatewayFixture.Password, "-q", "1", "-t", $"sensing/{device}/down", "-v", "-C", "1", "-W", "20"), TimeSpan.FromSeconds(30));
        Assert.That(receive.Output.Trim(), Is.EqualTo($"sensing/{device}/down {command}"), receive.ToString());
    }

    private string[] Args(string device, string version, string mode) =>
        ["127.0.0.1", _gateway.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), device, GatewayFixture.Password, version, mode];
}
