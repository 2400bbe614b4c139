using System.Diagnostics;
using Sensing.LocalServers.Internal;

namespace Sensing.LocalServers;

/// <summary>
/// ZooKeeper 3.4.6 and one Apache Kafka 0.9.0.1 broker on 127.0.0.1, started as java child processes
/// from the jars scripts/setup.sh installs, with configs, data and logs in one folder. For integration
/// tests and `sensing up`. Not thread-safe: one caller drives it at a time.
/// </summary>
/// <remarks>
/// Clients must not ask a 0.9 broker for its API versions: set api.version.request=false and
/// broker.version.fallback=0.9.0.1 (see <see cref="ClientConfig"/>), and session.timeout.ms &lt;= 30000.
/// The servers are stopped on <see cref="DisposeAsync"/>, when this process exits, and — through
/// a wrapper watching a pipe to this process — even when this process is SIGKILLed.
/// </remarks>
public sealed partial class LocalKafka : IAsyncDisposable
{
    private const string ZooKeeperMainClass = "org.apache.zookeeper.server.ZooKeeperServerMain";
    private const string BrokerProcessName = "kafka";

    private readonly LocalKafkaOptions _options;
    private ServerDirectory? _directory;
    private string _java = "";
    private string _classpath = "";
    private int _brokerPort;
    private int _zooKeeperPort;
    private ServerProcess? _zooKeeper;
    private ServerProcess? _broker;
    private bool _disposed;

    /// <summary>Creates the servers' owner; nothing runs until <see cref="StartAsync"/>.</summary>
    public LocalKafka(LocalKafkaOptions? options = null)
    {
        _options = options ?? LocalKafkaOptions.Default;
    }

    /// <summary>"127.0.0.1:PORT", the broker's address for bootstrap.servers.</summary>
    public string BootstrapServers => $"127.0.0.1:{BrokerPort}";

    /// <summary>"127.0.0.1:PORT", ZooKeeper's address (for TopicCommand and other 0.9 admin tools).</summary>
    public string ZooKeeperConnect => $"127.0.0.1:{ZooKeeperPort}";

    /// <summary>The broker's port; it stays the same across broker restarts.</summary>
    public int BrokerPort => _brokerPort != 0 ? _brokerPort : throw NotStarted();

    /// <summary>ZooKeeper's port.</summary>
    public int ZooKeeperPort => _zooKeeperPort != 0 ? _zooKeeperPort : throw NotStarted();

    /// <summary>The folder with configs, data (zookeeper-data/, kafka-data/) and logs (*.log).</summary>
    public string Directory => _directory?.Path ?? throw NotStarted();

    /// <summary>The broker's id.</summary>
    public int BrokerId => _options.BrokerId;

    /// <summary>The broker java process id while it runs, else null.</summary>
    public int? BrokerProcessId => _broker is { HasExited: false } broker ? broker.ServerProcessId : null;

    /// <summary>The ZooKeeper java process id while it runs, else null.</summary>
    public int? ZooKeeperProcessId => _zooKeeper is { HasExited: false } zooKeeper ? zooKeeper.ServerProcessId : null;

    /// <summary>True while the broker process runs.</summary>
    public bool IsBrokerRunning => _broker is { HasExited: false };

    /// <summary>
    /// librdkafka / Confluent.Kafka settings every client of this broker needs: bootstrap.servers,
    /// api.version.request=false and broker.version.fallback=0.9.0.1.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientConfig => new Dictionary<string, string>
    {
        ["bootstrap.servers"] = BootstrapServers,
        ["api.version.request"] = "false",
        ["broker.version.fallback"] = "0.9.0.1",
    };

    /// <summary>
    /// Starts ZooKeeper, then the broker, and returns when the broker serves requests. Ports are picked
    /// free unless set in the options; a port taken between pick and bind is retried with a new one.
    /// </summary>
    /// <exception cref="LocalServerException">The jars or java are missing, or a server did not start (the message holds its log tail).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_directory is not null)
        {
            throw new InvalidOperationException("LocalKafka is already started; use StartBrokerAsync to restart the broker.");
        }

        var elapsed = Stopwatch.StartNew();
        _classpath = Path.Combine(Installation.FindKafkaLibs(_options.KafkaHome), "*");
        _java = Installation.FindJava();
        _directory = ServerDirectory.Create("kafka", _options.DataDirectory);
        Log($"kafka: folder {_directory.Path}");
        WriteLog4jConfigs();
        try
        {
            await StartZooKeeperAsync(cancellationToken).ConfigureAwait(false);
            await StartBrokerCoreAsync(pickPortOnConflict: _options.BrokerPort == 0, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _broker?.Kill();
            _zooKeeper?.Kill();
            _broker = _zooKeeper = null;
            Log("kafka: " + _directory.Remove());
            _disposed = true;
            throw;
        }

        Log($"kafka: ready at {BootstrapServers} (zookeeper {ZooKeeperConnect}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Stops the broker (gracefully, killing it after the stop timeout), then ZooKeeper, and removes a temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopBrokerAsync().ConfigureAwait(false);
        if (_zooKeeper is not null)
        {
            await _zooKeeper.StopAsync(_options.StopTimeout, CancellationToken.None).ConfigureAwait(false);
            _zooKeeper = null;
        }

        if (_directory is not null)
        {
            Log("kafka: stopped; " + _directory.Remove());
        }
    }

    private async Task StartZooKeeperAsync(CancellationToken cancellationToken)
    {
        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            _zooKeeperPort = _options.ZooKeeperPort != 0 ? _options.ZooKeeperPort : FreePorts.Pick(1)[0];
            WriteZooKeeperConfig();
            string logPath = _directory!.Combine("zookeeper.log");
            long logOffset = LogTail.Length(logPath);
            var elapsed = Stopwatch.StartNew();
            // Orphaned, ZooKeeper stops only after the broker: a broker without ZooKeeper hangs in its shutdown.
            _zooKeeper = ServerProcess.Start(
                "zookeeper", _java, ZooKeeperJvmArguments(), _directory.Path, logPath, (int)_options.StopTimeout.TotalSeconds,
                stopAfterPidPath: ServerProcess.PidPath(_directory.Path, BrokerProcessName));
            try
            {
                await Readiness.WaitAsync(
                    _zooKeeper, logOffset, (_, ct) => ZooKeeperProbe.IsServingAsync(_zooKeeperPort, ct), _options.StartTimeout, cancellationToken)
                    .ConfigureAwait(false);
                Log($"kafka: zookeeper ready on {ZooKeeperConnect} (pid {_zooKeeper.ServerProcessId}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
                return;
            }
            catch (LocalServerException) when (_options.ZooKeeperPort == 0 && attempt < Attempts && Readiness.FailedOnTakenPort(_zooKeeper, logOffset))
            {
                Log($"kafka: zookeeper port {_zooKeeperPort} was taken; retrying on another");
            }
        }
    }

    private void Log(string message) => _options.Log?.Invoke(message);

    private static InvalidOperationException NotStarted() => new("LocalKafka is not started; call StartAsync first.");
}
