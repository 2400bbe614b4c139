using System.Globalization;
using System.Text;

namespace Sensing.LocalServers;

/// <summary>Config files and JVM command lines for ZooKeeper and the broker.</summary>
public sealed partial class LocalKafka
{
    private string ServerLog4jPath => _directory!.Combine("log4j-server.properties");

    private string ToolsLog4jPath => _directory!.Combine("log4j-tools.properties");

    private void WriteLog4jConfigs()
    {
        // Servers log INFO to stdout, which the wrapper appends to zookeeper.log / kafka.log: the broker's
        // "started (kafka.server.KafkaServer)" line is part of its readiness check.
        File.WriteAllText(ServerLog4jPath, """
            log4j.rootLogger=INFO, stdout
            log4j.appender.stdout=org.apache.log4j.ConsoleAppender
            log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
            log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
            log4j.logger.kafka.request.logger=WARN
            log4j.logger.kafka.network.RequestChannel$=WARN

            """);

        // Tools (TopicCommand) only report problems, on stderr, which callers capture.
        File.WriteAllText(ToolsLog4jPath, """
            log4j.rootLogger=WARN, stderr
            log4j.appender.stderr=org.apache.log4j.ConsoleAppender
            log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
            log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
            log4j.appender.stderr.Target=System.err

            """);
    }

    private void WriteZooKeeperConfig()
    {
        // ZooKeeper 3.4 expires sessions once per tick, and bounds negotiated session timeouts to
        // [2, 20] ticks unless told otherwise. A 500 ms tick ends a killed broker's session within half a
        // second of its timeout; maxSessionTimeout keeps a longer configured broker timeout possible.
        int sessionMs = (int)_options.ZooKeeperSessionTimeout.TotalMilliseconds;
        WriteProperties(_directory!.Combine("zookeeper.properties"), [
            ("dataDir", _directory.Combine("zookeeper-data")),
            ("clientPort", Invariant(_zooKeeperPort)),
            ("clientPortAddress", "127.0.0.1"),
            ("tickTime", "500"),
            ("maxSessionTimeout", Invariant(Math.Max(10_000, sessionMs))),
            ("maxClientCnxns", "0"),
            // No fsync per transaction: this ZooKeeper is never power-cut, and topic creation gets faster.
            ("forceSync", "no"),
        ]);
    }

    private void WriteBrokerConfig()
    {
        string listener = $"PLAINTEXT://127.0.0.1:{_brokerPort}";
        var properties = new List<(string Key, string Value)>
        {
            ("broker.id", Invariant(_options.BrokerId)),
            // 0.9 has both the new listeners/advertised.listeners and the older host.name/port pairs;
            // listeners wins when set. Clients connect to what is advertised, so both name 127.0.0.1.
            ("listeners", listener),
            ("advertised.listeners", listener),
            ("log.dirs", _directory!.Combine("kafka-data")),
            ("zookeeper.connect", ZooKeeperConnect),
            ("zookeeper.connection.timeout.ms", "30000"),
            ("zookeeper.session.timeout.ms", Invariant((int)_options.ZooKeeperSessionTimeout.TotalMilliseconds)),
            ("auto.create.topics.enable", _options.AutoCreateTopics ? "true" : "false"),
            ("num.partitions", Invariant(_options.DefaultPartitions)),
            ("default.replication.factor", "1"),
            ("delete.topic.enable", "true"),
            // One broker: the consumer-offsets topic cannot have more replicas than brokers.
            ("offsets.topic.replication.factor", "1"),
            ("offsets.topic.num.partitions", Invariant(_options.OffsetsTopicPartitions)),
            // 2 cores: the 0.9 defaults (3 network, 8 I/O threads) only add context switches.
            ("num.network.threads", "2"),
            ("num.io.threads", "4"),
            ("num.recovery.threads.per.data.dir", "1"),
            // The log cleaner (it compacts __consumer_offsets) allocates its dedupe buffer on the heap at
            // start: 128 MiB by default; 16 MiB indexes ~700k keys, plenty here.
            ("log.cleaner.dedupe.buffer.size", "16777216"),
            ("controlled.shutdown.enable", "true"),
        };
        foreach (var (key, value) in _options.BrokerProperties)
        {
            properties.RemoveAll(p => p.Key == key);
            properties.Add((key, value));
        }

        WriteProperties(_directory.Combine("server.properties"), properties);
    }

    private string[] ZooKeeperJvmArguments() =>
    [
        $"-Xmx{_options.ZooKeeperHeapMegabytes}m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", // ZooKeeper does little work here: the client compiler starts faster
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        "-Dlog4j.configuration=file:" + ServerLog4jPath,
        "-cp", _classpath,
        ZooKeeperMainClass,
        _directory!.Combine("zookeeper.properties"),
    ];

    private string[] BrokerJvmArguments() =>
    [
        $"-Xmx{_options.BrokerHeapMegabytes}m",
        // Serial GC: a small heap on 2 cores, where G1's concurrent threads cost more than its pauses save.
        "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        "-Djava.net.preferIPv4Stack=true",
        "-Dlog4j.configuration=file:" + ServerLog4jPath,
        "-cp", _classpath,
        "kafka.Kafka",
        _directory!.Combine("server.properties"),
    ];

    private static void WriteProperties(string path, IEnumerable<(string Key, string Value)> properties)
    {
        var text = new StringBuilder("# Written by Sensing.LocalServers; rewritten on every start.\n");
        foreach (var (key, value) in properties)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
