using System.Diagnostics;
using Sensing.Mqtt;

namespace Sensing.Simulators.Load;

/// <summary>
/// Holds many MQTT connections and publishes at a target total rate, open loop: a pacer thread hands each
/// connection the messages due by the clock, whatever the server's pace; a connection whose QoS 1 window is full
/// sends its backlog as PUBACKs free the window. Reports messages/s and PUBACK latency (send to PUBACK, p50/p99) every
/// second and at the end, after waiting for outstanding PUBACKs.
/// </summary>
public sealed class LoadDriver(LoadOptions options)
{
    private volatile bool _pacing;

    /// <summary>PUBACK latencies of the whole run, in microseconds.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Connects, publishes for the duration, drains, disconnects; <paramref name="progress"/> gets a line each second.</summary>
    public async Task<LoadReport> RunAsync(Action<LoadReport>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        var connections = new LoadConnection[options.Connections];
        var failures = await ConnectAllAsync(connections, cancellationToken).ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        Thread? pacer = null;
        if (options.Rate > 0)
        {
            _pacing = true;
            pacer = new Thread(() => Pace(connections, clock)) { IsBackground = true, Name = "load-pacer" };
            pacer.Start();
        }

        var previous = Latency.Snapshot();
        var previousCount = 0L;
        var previousTime = TimeSpan.Zero;
        try
        {
            while (clock.Elapsed < options.Duration)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(1, (options.Duration - clock.Elapsed).TotalSeconds));
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                var now = Latency.Snapshot();
                var interval = now.Minus(previous);
                var (sent, acked) = Totals(connections);
                var count = options.QoS == MqttQoS.AtMostOnce ? sent : acked;
                var elapsed = clock.Elapsed;
                progress?.Invoke(new LoadReport(elapsed, Open(connections), failures, Lost(connections), sent, acked,
                    (count - previousCount) / Math.Max(1e-3, (elapsed - previousTime).TotalSeconds),
                    interval.Percentile(50), interval.Percentile(99), interval.Max, options.Batch));
                (previous, previousCount, previousTime) = (now, count, elapsed);
            }
        }
        finally
        {
            _pacing = false;
            pacer?.Join();
        }

        var publishing = clock.Elapsed;
        var (sentAtEnd, ackedAtEnd) = Totals(connections);
        var rate = (options.QoS == MqttQoS.AtMostOnce ? sentAtEnd : ackedAtEnd) / publishing.TotalSeconds;
        await DrainAsync(connections, cancellationToken).ConfigureAwait(false);
        var (sentTotal, ackedTotal) = Totals(connections);
        var report = new LoadReport(publishing, Open(connections), failures, Lost(connections), sentTotal, ackedTotal, rate,
            Latency.Percentile(50), Latency.Percentile(99), Latency.Max, options.Batch);
        await Task.WhenAll(connections.Where(c => c is not null).Select(c => c.DisconnectAsync())).ConfigureAwait(false);
        return report;
    }

    private async Task<int> ConnectAllAsync(LoadConnection[] connections, CancellationToken cancellationToken)
    {
        var failures = 0;
        using var slots = new SemaphoreSlim(options.ConcurrentConnects);
        var tasks = new Task[connections.Length];
        for (var i = 0; i < connections.Length; i++)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                var id = options.DeviceId(index);
                var batch = options.Batch > 1 ? Enumerable.Range(0, options.Batch).Select(item => options.BatchDeviceId(index, item)).ToArray() : null;
                var connection = new LoadConnection(id, options.QoS, options.Window, Latency, batch);
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    await connection.ConnectAsync(options.Target, options.SourceAddress(index), id, options.Password, options.KeepAliveSeconds, timeout.Token).ConfigureAwait(false);
                    connections[index] = connection;
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    await connection.DisconnectAsync().ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }, cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return failures;
    }

    private void Pace(LoadConnection[] connections, Stopwatch clock)
    {
        var perConnection = options.Rate / connections.Length;
        var tick = options.Tick;
        while (_pacing)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            var now = Stopwatch.GetTimestamp();
            var unixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < connections.Length; i++)
            {
                var connection = connections[i];
                if (connection is null || connection.IsClosed)
                {
                    continue;
                }

                // Each connection is offset by a fraction of its period, so low per-connection rates do not all fire at once.
                var due = (long)((perConnection * seconds) + ((double)i / connections.Length)) - connection.Sent;
                if (due > 0)
                {
                    connection.Publish(due, now, unixMs);
                }
            }

            Thread.Sleep(tick);
        }
    }

    private async Task DrainAsync(LoadConnection[] connections, CancellationToken cancellationToken)
    {
        if (options.QoS == MqttQoS.AtMostOnce)
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.DrainTimeout)
        {
            var outstanding = connections.Any(c => c is not null && !c.IsClosed && c.Acknowledged < c.Sent);
            if (!outstanding)
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (long Sent, long Acked) Totals(LoadConnection[] connections)
    {
        long sent = 0, acked = 0;
        foreach (var c in connections)
        {
            if (c is not null)
            {
                sent += c.Sent;
                acked += c.Acknowledged;
            }
        }

        return (sent, acked);
    }

    private static int Open(LoadConnection[] connections) => connections.Count(c => c is not null && !c.IsClosed);

    private static int Lost(LoadConnection[] connections) => connections.Count(c => c is not null && c.WasLost);
}
