using System.Diagnostics;
using System.Net;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sensing.Core.Devices;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.IntegrationTests.Conformance;
using Sensing.Simulators.City;

namespace Sensing.IntegrationTests.Registry;

/// <summary>
/// The device registry on a real Kafka 0.9 broker (<c>sensing.devices</c>), changed with <c>sensing devices</c> while a
/// real <c>sensing gateway</c> process follows it, with mosquitto_pub and mosquitto_sub as the devices.
/// </summary>
[NonParallelizable]
public sealed class DeviceRegistryTopicTests
{
    private const string Password = "first-password";
    private static readonly TimeSpan Reach = TimeSpan.FromSeconds(20);

    private readonly LocalKafka _kafka = new(LocalKafkaOptions.Default);
    private KafkaOptions _options = KafkaOptions.Default;
    private SensingServerProcess? _gateway;
    private IPEndPoint _endPoint = new(IPAddress.Loopback, 0);
    private string _dir = "";

    [OneTimeSetUp]
    public async Task StartKafkaAndGateway()
    {
        _dir = Directory.CreateTempSubdirectory("sensing-registry-").FullName;
        await _kafka.StartAsync();
        _options = new KafkaOptions { BootstrapServers = _kafka.BootstrapServers, LegacyBrokerVersion = "0.9.0.1" }.Validate();
        foreach (var (topic, partitions) in _options.Topics.All)
        {
            await _kafka.CreateTopicAsync(topic, partitions, _options.Topics.ConfigOf(topic));
        }

        // A first device in the topic before the gateway starts: read at start, the rest followed.
        var seed = WriteRegistry("seed.csv", Methane("reg-seed"));
        var (code, lines) = await DevicesAsync("import", seed);
        Assert.That(code, Is.Zero, string.Join('\n', lines));

        _endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.Pick());
        _gateway = SensingServerProcess.Start("gateway", "gateway", "--kafka", _kafka.BootstrapServers, "--kafka-legacy-version", "0.9.0.1",
            "--listen", _endPoint.ToString(), "--store", $"http://127.0.0.1:{FreePorts.Pick()}", "--gateway-id", "registry-it");
        var started = await _gateway.WaitForLineAsync("gateway: ", TimeSpan.FromSeconds(60));
        Assert.That(started, Does.Contain("1 devices from sensing.devices"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _gateway?.Dispose();
        await _kafka.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test, Order(1)]
    public async Task Import_BadLine_NamesTheLineAndImportsNothing_UnlessPartial()
    {
        var path = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(path, DeviceRegistryFile.Header + "\n"
            + DeviceRegistryFile.FormatLine(Methane("reg-bad-1")) + "\n"
            + "reg-bad-2,gas-metre,d01,900,,qmax=6\n"
            + DeviceRegistryFile.FormatLine(Methane("reg-bad-3")) + "\n");
        var before = RecordsInTopic();

        var (code, lines) = await DevicesAsync("import", path);

        Assert.That(code, Is.EqualTo(1), string.Join('\n', lines));
        Assert.That(lines, Has.Some.Contains($"{path}:3: kind 'gas-metre' is not one of the device kinds"));
        Assert.That(lines, Has.Some.Contains("nothing imported"));
        Assert.That(RecordsInTopic(), Is.EqualTo(before), "a file with a bad line should write nothing");

        (code, lines) = await DevicesAsync("import", path, "--partial");

        Assert.That(code, Is.Zero, string.Join('\n', lines));
        Assert.That(lines, Has.Some.Contains("imported 2 devices").And.Some.Contains("1 bad lines left out"));
        Assert.That(RecordsInTopic(), Is.EqualTo(before + 2));
    }

    [Test, Order(2)]
    public async Task Add_WhileTheGatewayRuns_TheDeviceConnectsWithoutARestart()
    {
        Assert.That(await PublishAsync("reg-new", Password), Is.Not.Zero, "an unregistered device should be refused");

        var (code, lines) = await DevicesAsync("add", "reg-new", "--kind", "methane-detector", "--district", "d02", "--report-s", "30", "--password", Password);
        Assert.That(code, Is.Zero, string.Join('\n', lines));
        var clock = Stopwatch.StartNew();

        Assert.That(await EventuallyAsync(async () => await PublishAsync("reg-new", Password) == 0), Is.True,
            "the added device should connect and have its reading acknowledged (in Kafka) within 20 s");
        TestContext.Progress.WriteLine($"added device accepted {clock.ElapsedMilliseconds} ms after `sensing devices add` returned");
        Assert.That(_gateway!.HasExited, Is.False);
    }

    [Test, Order(3)]
    public async Task Revoke_AConnectedDevice_IsDisconnectedAtOnceAndRefusedFromThenOn()
    {
        await AddAsync("reg-revoked");
        await using var held = PeerClient.Mosquitto("mosquitto_sub", _endPoint, "-V", "mqttv5", "-i", "reg-revoked", "-u", "reg-revoked", "-P", Password,
            "-t", "sensing/reg-revoked/down", "-q", "1", "-k", "60", "-d");
        await Eventually.HoldsAsync(() => held.HasExited || held.Output.Contains("SUBACK", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "mosquitto_sub is subscribed (SUBACK)");
        Assert.That(held.HasExited, Is.False, "the device should be connected before it is revoked");

        var (code, lines) = await DevicesAsync("revoke", "reg-revoked");
        Assert.That(code, Is.Zero, string.Join('\n', lines));

        var result = await held.WaitAsync(Reach);
        Assert.That(result.ExitCode, Is.Not.EqualTo(-1), "the revoked device's connection should be closed by the gateway");
        Assert.That(await PublishAsync("reg-revoked", Password), Is.Not.Zero, "a revoked device should be refused");
        var refusal = await PublishOutputAsync("reg-revoked", Password, "mqttv5");
        Assert.That(refusal, Does.Contain("not authori").IgnoreCase, "refused as not authorized (0x87)");
    }

    [Test, Order(4)]
    public async Task RotateSecret_TheNewPasswordWorksOnTheNextConnect_TheOldOneNoLonger()
    {
        await AddAsync("reg-rotated");
        Assert.That(await PublishAsync("reg-rotated", Password), Is.Zero);

        var (code, lines) = await DevicesAsync("rotate-secret", "reg-rotated");
        Assert.That(code, Is.Zero, string.Join('\n', lines));
        var newPassword = lines.Single(l => l.StartsWith("new password (shown once): ", StringComparison.Ordinal))["new password (shown once): ".Length..];

        Assert.That(await EventuallyAsync(async () => await PublishAsync("reg-rotated", Password) != 0), Is.True, "the old password should be refused");
        Assert.That(await PublishAsync("reg-rotated", newPassword), Is.Zero, "the new password should be accepted");
    }

    [Test, Order(5)]
    public async Task Remove_TombstonesTheKey_AndTheDeviceIsRefused()
    {
        await AddAsync("reg-removed");
        Assert.That(await PublishAsync("reg-removed", Password), Is.Zero);

        var (code, lines) = await DevicesAsync("remove", "reg-removed");
        Assert.That(code, Is.Zero, string.Join('\n', lines));

        var last = LastRecordOf("reg-removed");
        Assert.That(last, Is.Not.Null, "the key should be in sensing.devices");
        Assert.That(last!.Message.Value, Is.Null, "the key's last record should be a tombstone (null value)");
        Assert.That(await EventuallyAsync(async () => await PublishAsync("reg-removed", Password) != 0), Is.True, "a removed device should be refused");
        (code, _) = await DevicesAsync("show", "reg-removed");
        Assert.That(code, Is.EqualTo(1), "show should not find a removed device");
    }

    [Test, Order(6)]
    public async Task FeedAdminApi_AddRevokeAndAudit_WithAnAdminKeyOnly()
    {
        const string adminKey = "admin-key-for-the-registry-test", operatorKey = "operator-key-for-the-registry-test";
        var ring = ApiKeyRing.From([new ApiKeyEntry("registry-admin", FeedRole.Admin, ApiKeyRing.Hash(adminKey)),
            new ApiKeyEntry("duty-operator", FeedRole.Operator, ApiKeyRing.Hash(operatorKey))]);
        var feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = ring }, _options, l => l.SetMinimumLevel(LogLevel.Warning));
        await feed.StartAsync();
        try
        {
            using var admin = Client(FeedHost.BoundUrl(feed), adminKey);
            using var operatorClient = Client(FeedHost.BoundUrl(feed), operatorKey);
            var body = new StringContent($"{{\"kind\":\"methane-detector\",\"district\":\"d04\",\"report_s\":30,\"password\":\"{Password}\"}}", Encoding.UTF8, "application/json");

            var refused = await operatorClient.PutAsync("/api/devices/reg-api", body);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "an operator key may not change the registry");
            HttpResponseMessage added = new(HttpStatusCode.ServiceUnavailable);
            Assert.That(await EventuallyAsync(async () =>
            {
                added = await admin.PutAsync("/api/devices/reg-api", body);
                return added.StatusCode != HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(60)), Is.True, "the feed should read sensing.devices");
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
            Assert.That(await EventuallyAsync(async () => await PublishAsync("reg-api", Password) == 0), Is.True, "the gateway should admit a device added through the API");

            var bad = await admin.PutAsync("/api/devices/reg-api-2", new StringContent("{\"kind\":\"toaster\",\"district\":\"d04\",\"report_s\":30}", Encoding.UTF8, "application/json"));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("\"field\":\"kind\""));

            var revoked = await admin.PostAsync("/api/devices/reg-api/revoke", null);
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await revoked.Content.ReadAsStringAsync(), Does.Contain("\"revoked\":true").And.Not.Contains("secret"));
            Assert.That(await EventuallyAsync(async () => await PublishAsync("reg-api", Password) != 0), Is.True, "the gateway should refuse a device revoked through the API");

            var audit = CompactedTopicReader.ReadLatest(_options, _options.Topics.Audit, TimeSpan.FromSeconds(30));
            Assert.That(audit.TryGetValue("reg-api", out var last), Is.True, "the change should be audited on sensing.audit");
            var record = Encoding.UTF8.GetString(last!);
            Assert.That(record, Does.Contain("\"actor\":\"registry-admin\"").And.Contain("\"action\":\"revoke\"").And.Not.Contain(Password));
        }
        finally
        {
            await feed.StopAsync();
            await feed.DisposeAsync();
        }
    }

    private static HttpClient Client(string baseUrl, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Test, Order(7)]
    public async Task Import_TheWholeCity_EveryDeviceIsInTheTopicAndTheRunningGatewayAdmitsThem()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 190_000, Districts = 100 });
        var path = Path.Combine(_dir, "city.csv");
        city.WriteRegistry(path);
        var expected = DeviceRegistryFile.Read(path);
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(190_000));

        var clock = Stopwatch.StartNew();
        var (code, lines) = await DevicesAsync("import", path);
        Assert.That(code, Is.Zero, string.Join('\n', lines.TakeLast(20)));
        TestContext.Progress.WriteLine($"import of {expected.Count:N0} devices: {clock.Elapsed.TotalSeconds:0.0} s with the command's start");
        Assert.That(lines, Has.Some.Contains($"imported {expected.Count:N0} devices"));

        var registry = new DeviceRegistry();
        var loaded = DeviceRegistryTopic.Load(_options, registry, TimeSpan.FromMinutes(2));
        TestContext.Progress.WriteLine($"read back {loaded.Records:N0} records in {loaded.Elapsed.TotalSeconds:0.0} s");
        foreach (var device in expected)
        {
            Assert.That(registry.TryFind(device.Id, out var found), Is.True, $"{device.Id} should be in sensing.devices");
            Assert.That(found, Is.EqualTo(device), $"{device.Id} should read back as imported");
        }

        // Devices from across the city, with their own passwords, through the gateway that was running all along.
        var random = new Random(7);
        var sample = Enumerable.Range(0, 25).Select(_ => city.Devices[random.Next(city.Devices.Count)]).ToList();
        // The gateway takes the import in as it reads the topic: one device admitted does not mean all are yet.
        foreach (var device in sample)
        {
            Assert.That(await EventuallyAsync(async () => await PublishAsync(device.Info.Id, device.Password) == 0, TimeSpan.FromSeconds(120)), Is.True,
                $"{device.Info.Id} ({device.Info.Kind.Name()}) should be admitted within 2 minutes");
        }
    }

    private static DeviceInfo Methane(string id) => new(id, DeviceKind.MethaneDetector, "d01", 30, DeviceRegistryFile.HashSecret(Password));

    private async Task AddAsync(string id)
    {
        var (code, lines) = await DevicesAsync("add", id, "--kind", "methane-detector", "--district", "d03", "--report-s", "30", "--password", Password);
        Assert.That(code, Is.Zero, string.Join('\n', lines));
        Assert.That(await EventuallyAsync(async () => await PublishAsync(id, Password) == 0), Is.True, $"{id} should be admitted after add");
    }

    private string WriteRegistry(string name, params DeviceInfo[] devices)
    {
        var path = Path.Combine(_dir, name);
        DeviceRegistryFile.Write(path, devices);
        return path;
    }

    private Task<(int ExitCode, List<string> Lines)> DevicesAsync(params string[] arguments) =>
        SensingCommand.RunAsync("devices", TimeSpan.FromMinutes(5),
            ["devices", .. arguments, "--kafka", _kafka.BootstrapServers, "--kafka-legacy-version", "0.9.0.1"]);

    private Task<int> PublishAsync(string device, string password) =>
        Pipeline.MosquittoPub.PublishAsync(_endPoint, device, password, $"sensing/{device}/up", "{\"seq\":1,\"lel\":1}", timeout: TimeSpan.FromSeconds(10));

    private async Task<string> PublishOutputAsync(string device, string password, string version)
    {
        var result = await PeerClient.RunAsync(PeerClient.Mosquitto("mosquitto_pub", _endPoint, "-V", version, "-i", device, "-u", device, "-P", password,
            "-t", $"sensing/{device}/up", "-m", "{}", "-q", "1"), TimeSpan.FromSeconds(10));
        return result.Output + result.Error;
    }

    private long RecordsInTopic()
    {
        using var inspector = new TopicInspector(_options);
        return inspector.CountRecords(_options.Topics.Devices, TimeSpan.FromSeconds(10));
    }

    private ConsumeResult<byte[], byte[]?>? LastRecordOf(string id)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers, GroupId = "registry-it-reader", EnableAutoCommit = false,
            ApiVersionRequest = false, BrokerVersionFallback = "0.9.0.1",
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]?>(config).Build();
        var end = consumer.QueryWatermarkOffsets(new TopicPartition(_options.Topics.Devices, 0), TimeSpan.FromSeconds(10)).High.Value;
        consumer.Assign(new TopicPartitionOffset(_options.Topics.Devices, 0, Offset.Beginning));
        ConsumeResult<byte[], byte[]?>? last = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && consumer.Consume(TimeSpan.FromSeconds(1)) is var result)
        {
            if (result?.Message is null)
            {
                continue;
            }

            if (Encoding.UTF8.GetString(result.Message.Key) == id)
            {
                last = result;
            }

            if (result.Offset.Value + 1 >= end)
            {
                break;
            }
        }

        return last;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Reach);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
