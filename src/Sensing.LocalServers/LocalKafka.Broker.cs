using System.Diagnostics;
using Sensing.LocalServers.Internal;

namespace Sensing.LocalServers;

/// <summary>Starting, stopping and killing the broker alone; ZooKeeper, the port and the data stay.</summary>
public sealed partial class LocalKafka
{
    // Logged by kafka.server.KafkaServer once startup() has completed (0.9.0.1 KafkaServer.scala).
    private const string BrokerStartedLine = "started (kafka.server.KafkaServer)";

    private string BrokerLogPath => _directory!.Combine("kafka.log");

    /// <summary>
    /// Starts the broker again after <see cref="StopBrokerAsync"/> or <see cref="KillBroker"/>, on the
    /// same port and data folder, and returns when it serves every existing topic's partitions. After
    /// a kill this first waits for ZooKeeper to expire the dead broker's session (up to
    /// <see cref="LocalKafkaOptions.ZooKeeperSessionTimeout"/>). Does nothing when the broker runs.
    /// </summary>
    public async Task StartBrokerAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_zooKeeper is null)
        {
            throw NotStarted();
        }

        if (IsBrokerRunning)
        {
            return;
        }

        await StartBrokerCoreAsync(pickPortOnConflict: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the broker gracefully (SIGTERM: controlled shutdown, logs flushed and closed cleanly),
    /// killing it if it takes longer than <see cref="LocalKafkaOptions.StopTimeout"/>. Does nothing
    /// when the broker is not running.
    /// </summary>
    public async Task StopBrokerAsync(CancellationToken cancellationToken = default)
    {
        if (_broker is null)
        {
            return;
        }

        var elapsed = Stopwatch.StartNew();
        bool graceful = await _broker.StopAsync(_options.StopTimeout, cancellationToken).ConfigureAwait(false);
        _broker = null;
        Log(graceful
            ? $"kafka: broker stopped in {elapsed.Elapsed.TotalSeconds:0.0} s"
            : $"kafka: broker did not stop within {_options.StopTimeout.TotalSeconds:0} s and was killed");
    }

    /// <summary>
    /// SIGKILLs the broker (a crash: no controlled shutdown, no final flush; data already written to
    /// the page cache survives). ZooKeeper keeps its registration until the session times out.
    /// </summary>
    public void KillBroker()
    {
        if (_broker is null)
        {
            return;
        }

        _broker.Kill();
        _broker = null;
        Log("kafka: broker killed (SIGKILL)");
    }

    private async Task StartBrokerCoreAsync(bool pickPortOnConflict, CancellationToken cancellationToken)
    {
        await WaitForOldRegistrationToExpireAsync(cancellationToken).ConfigureAwait(false);
        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            if (_brokerPort == 0 || attempt > 1)
            {
                _brokerPort = _options.BrokerPort != 0 ? _options.BrokerPort : FreePorts.Pick(1)[0];
            }

            WriteBrokerConfig();
            string logPath = BrokerLogPath;
            long logOffset = LogTail.Length(logPath);
            var elapsed = Stopwatch.StartNew();
            var broker = ServerProcess.Start(
                BrokerProcessName, _java, BrokerJvmArguments(), Directory, logPath, (int)_options.StopTimeout.TotalSeconds);
            _broker = broker;
            try
            {
                await Readiness.WaitAsync(broker, logOffset, IsBrokerReadyAsync, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (LocalServerException) when (pickPortOnConflict && attempt < Attempts && Readiness.FailedOnTakenPort(broker, logOffset))
            {
                Log($"kafka: broker port {_brokerPort} was taken; retrying on another");
                continue;
            }
            catch
            {
                _broker = null;
                throw;
            }

            Log($"kafka: broker listening on {BootstrapServers} (pid {broker.ServerProcessId}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
            await WaitForTopicsServedAsync([], cancellationToken).ConfigureAwait(false);
            Log($"kafka: broker serves all partitions after {elapsed.Elapsed.TotalSeconds:0.0} s");
            return;
        }
    }

    private async Task<bool> IsBrokerReadyAsync(string newLog, CancellationToken cancellationToken)
    {
        if (!newLog.Contains(BrokerStartedLine, StringComparison.Ordinal))
        {
            return false;
        }

        // The controller (this broker) registers the broker in the metadata it hands out only after
        // startup; a Metadata answer listing it proves the port is open and the broker answers.
        try
        {
            KafkaClusterState state = await KafkaWireProbe.GetMetadataAsync(_brokerPort, [], cancellationToken).ConfigureAwait(false);
            return state.BrokerIds.Contains(_options.BrokerId);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// A SIGKILLed broker's ephemeral node /brokers/ids/N outlives it until ZooKeeper expires its session;
    /// a broker started before that exits with "A broker is already registered on the path".
    /// </summary>
    private async Task WaitForOldRegistrationToExpireAsync(CancellationToken cancellationToken)
    {
        string path = $"/brokers/ids/{_options.BrokerId}";
        TimeSpan limit = _options.ZooKeeperSessionTimeout + TimeSpan.FromSeconds(10);
        var elapsed = Stopwatch.StartNew();
        bool logged = false;
        while (await ZooKeeperProbe.HasEphemeralNodeAsync(_zooKeeperPort, path, cancellationToken).ConfigureAwait(false) is not false)
        {
            // True (still registered) or null (no answer this time): wait and ask again, up to the limit.
            if (!logged)
            {
                Log($"kafka: waiting for zookeeper to expire the previous broker's session ({path})");
                logged = true;
            }

            if (elapsed.Elapsed > limit)
            {
                throw new LocalServerException(
                    $"kafka: {path} is still registered in zookeeper (or zookeeper does not answer \"dump\") after {limit.TotalSeconds:0} s; is another broker using {ZooKeeperConnect}?");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
