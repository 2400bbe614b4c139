using System.Diagnostics;
using NUnit.Framework;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.LocalServers;

/// <summary>
/// One ZooKeeper + Kafka 0.9 broker for the whole fixture (it starts in about two seconds); the tests
/// run in order because later ones restart, kill and finally dispose it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalKafkaTests
{
    private LocalKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task StartKafka()
    {
        var started = Stopwatch.StartNew();
        _kafka = new LocalKafka(LocalKafkaOptions.Default with { Log = line => TestContext.Progress.WriteLine(line) });
        await _kafka.StartAsync();
        TestContext.Progress.WriteLine($"LocalKafka.StartAsync took {started.Elapsed.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public async Task StopKafka() => await _kafka.DisposeAsync();

    [Test]
    [Order(1)]
    public async Task CreateTopicAsync_ThreePartitions_DescribeShowsThreeLedPartitions()
    {
        await _kafka.CreateTopicAsync("three", 3);

        KafkaTopicDescription? topic = await _kafka.DescribeTopicAsync("three");

        Assert.That(topic, Is.Not.Null);
        Assert.That(topic!.Partitions.Select(p => p.Partition), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(topic.Partitions.Select(p => p.Leader), Is.All.EqualTo(_kafka.BrokerId));
    }

    [Test]
    [Order(2)]
    public async Task CreateTopicAsync_TopicExists_SucceedsAndKeepsPartitions()
    {
        await _kafka.CreateTopicAsync("existing", 2);

        await _kafka.CreateTopicAsync("existing", 2);

        Assert.That((await _kafka.DescribeTopicAsync("existing"))!.Partitions, Has.Count.EqualTo(2));
    }

    [Test]
    [Order(3)]
    public async Task DescribeTopicAsync_MissingTopic_ReturnsNull()
    {
        Assert.That(await _kafka.DescribeTopicAsync("no-such-topic"), Is.Null);
    }

    [Test]
    [Order(4)]
    public async Task Kcat_ProduceThenConsume_ReadsTheMessage()
    {
        await _kafka.CreateTopicAsync("roundtrip", 3);

        await Kcat.ProduceAsync(_kafka.BootstrapServers, "roundtrip", 1, "hello from kcat");

        Assert.That(await Kcat.ConsumeAllAsync(_kafka.BootstrapServers, "roundtrip"), Is.EqualTo(new[] { "hello from kcat" }));
    }

    [Test]
    [Order(5)]
    public async Task StopBrokerAsync_ThenStartBrokerAsync_MessageSurvivesOnSamePort()
    {
        await _kafka.CreateTopicAsync("restart", 3);
        await Kcat.ProduceAsync(_kafka.BootstrapServers, "restart", 2, "before graceful restart");
        string bootstrap = _kafka.BootstrapServers;
        int oldPid = _kafka.BrokerProcessId!.Value;

        await _kafka.StopBrokerAsync();
        Assert.That(_kafka.IsBrokerRunning, Is.False);
        Assert.That(ServerProcesses.IsRunning(oldPid, _kafka.Directory), Is.False);
        await _kafka.StartBrokerAsync();

        Assert.That(_kafka.BootstrapServers, Is.EqualTo(bootstrap));
        Assert.That(_kafka.BrokerProcessId, Is.Not.EqualTo(oldPid));
        Assert.That(await Kcat.ConsumeAllAsync(bootstrap, "restart"), Is.EqualTo(new[] { "before graceful restart" }));
    }

    [Test]
    [Order(6)]
    public async Task KillBroker_ThenStartBrokerAsync_MessageSurvives()
    {
        await _kafka.CreateTopicAsync("crash", 3);
        await Kcat.ProduceAsync(_kafka.BootstrapServers, "crash", 0, "before crash");
        int oldPid = _kafka.BrokerProcessId!.Value;

        _kafka.KillBroker();
        Assert.That(ServerProcesses.IsRunning(oldPid, _kafka.Directory), Is.False);
        await _kafka.StartBrokerAsync();

        Assert.That(await Kcat.ConsumeAllAsync(_kafka.BootstrapServers, "crash"), Is.EqualTo(new[] { "before crash" }));
        Assert.That(await Kcat.ConsumeAllAsync(_kafka.BootstrapServers, "restart"), Is.EqualTo(new[] { "before graceful restart" }));
    }

    [Test]
    [Order(7)]
    public async Task DeleteTopicAsync_ExistingTopic_TopicIsGone()
    {
        await _kafka.CreateTopicAsync("doomed", 1);

        await _kafka.DeleteTopicAsync("doomed");

        Assert.That(await _kafka.DescribeTopicAsync("doomed"), Is.Null);
    }

    [Test]
    [Order(8)]
    public async Task DisposeAsync_RunningServers_ProcessesGoneAndFolderRemoved()
    {
        int broker = _kafka.BrokerProcessId!.Value;
        int zooKeeper = _kafka.ZooKeeperProcessId!.Value;
        string folder = _kafka.Directory;
        Assert.That(ServerProcesses.IsRunning(broker, folder) && ServerProcesses.IsRunning(zooKeeper, folder), Is.True);

        await _kafka.DisposeAsync();

        Assert.That(ServerProcesses.IsRunning(broker, folder), Is.False);
        Assert.That(ServerProcesses.IsRunning(zooKeeper, folder), Is.False);
        if (Environment.GetEnvironmentVariable("SENSING_KEEP_SERVER_DIRS") != "1")
        {
            Assert.That(Directory.Exists(folder), Is.False);
        }
    }
}
