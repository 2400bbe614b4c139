using System.Diagnostics;
using System.Globalization;
using Sensing.LocalServers.Internal;

namespace Sensing.LocalServers;

/// <summary>
/// A VictoriaMetrics single-node server on 127.0.0.1 with its data and log in one folder: Influx
/// line protocol on /write and /api/v2/write, PromQL on /api/v1/query(_range), export on
/// /api/v1/export. Can be stopped and started again on the same port and data (store outages).
/// Not thread-safe: one caller drives it at a time.
/// </summary>
public sealed class LocalVictoriaMetrics : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly LocalVictoriaMetricsOptions _options;
    private ServerDirectory? _directory;
    private string _executable = "";
    private int _port;
    private ServerProcess? _server;
    private bool _disposed;

    /// <summary>Creates the server's owner; nothing runs until <see cref="StartAsync"/>.</summary>
    public LocalVictoriaMetrics(LocalVictoriaMetricsOptions? options = null)
    {
        _options = options ?? LocalVictoriaMetricsOptions.Default;
    }

    /// <summary>"http://127.0.0.1:PORT", without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The HTTP port; it stays the same across restarts.</summary>
    public int Port => _port != 0 ? _port : throw NotStarted();

    /// <summary>The folder with the data (data/) and the log (victoria-metrics.log).</summary>
    public string Directory => _directory?.Path ?? throw NotStarted();

    /// <summary>The server's process id while it runs, else null.</summary>
    public int? ProcessId => _server is { HasExited: false } server ? server.ServerProcessId : null;

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _server is { HasExited: false };

    /// <summary>
    /// Starts the server and returns when GET /health answers OK. The first start picks the port and
    /// folder; a start after <see cref="StopAsync"/> or <see cref="Kill"/> reuses both, so the data
    /// survives. Does nothing when the server runs.
    /// </summary>
    /// <exception cref="LocalServerException">victoria-metrics is missing or did not start (the message holds its log tail).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        bool first = _directory is null;
        if (first)
        {
            _executable = Installation.FindVictoriaMetrics(_options.Executable);
            _directory = ServerDirectory.Create("victoria-metrics", _options.DataDirectory);
            Log($"victoria-metrics: folder {_directory.Path}");
        }

        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            if (_port == 0 || attempt > 1)
            {
                _port = _options.Port != 0 ? _options.Port : FreePort.Pick(1)[0];
            }

            string logPath = _directory!.Combine("victoria-metrics.log");
            long logOffset = LogTail.Length(logPath);
            var elapsed = Stopwatch.StartNew();
            _server = ServerProcess.Start(
                "victoria-metrics", _executable, Arguments(), _directory.Path, logPath, (int)_options.StopTimeout.TotalSeconds);
            try
            {
                await Readiness.WaitAsync(_server, logOffset, IsHealthyAsync, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
                Log($"victoria-metrics: ready at {BaseUrl} (pid {_server.ServerProcessId}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
                return;
            }
            catch (LocalServerException) when (first && _options.Port == 0 && attempt < Attempts && Readiness.FailedOnTakenPort(_server, logOffset))
            {
                Log($"victoria-metrics: port {_port} was taken; retrying on another");
            }
            catch
            {
                _server = null;
                throw;
            }
        }
    }

    /// <summary>
    /// Stops the server gracefully (SIGTERM: it flushes buffered points to disk first), killing it
    /// after <see cref="LocalVictoriaMetricsOptions.StopTimeout"/>. Does nothing when it is not running.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_server is null)
        {
            return;
        }

        var elapsed = Stopwatch.StartNew();
        bool graceful = await _server.StopAsync(_options.StopTimeout, cancellationToken).ConfigureAwait(false);
        _server = null;
        Log(graceful
            ? $"victoria-metrics: stopped in {elapsed.Elapsed.TotalSeconds:0.0} s"
            : $"victoria-metrics: did not stop within {_options.StopTimeout.TotalSeconds:0} s and was killed");
    }

    /// <summary>
    /// SIGKILLs the server: points not yet persisted are lost (VictoriaMetrics keeps the last few
    /// seconds in memory; <see cref="FlushAsync"/> makes them searchable, not durable). Does nothing
    /// when it is not running.
    /// </summary>
    public void Kill()
    {
        if (_server is null)
        {
            return;
        }

        _server.Kill();
        _server = null;
        Log("victoria-metrics: killed (SIGKILL)");
    }

    /// <summary>
    /// GET /internal/force_flush: makes every point written so far searchable at once. Without it
    /// VictoriaMetrics buffers new points for about a second, and a search in that window can cache
    /// an empty answer that hides old-timestamped points for much longer.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(BaseUrl + "/internal/force_flush"), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Stops the server gracefully and removes a temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync().ConfigureAwait(false);
        if (_directory is not null)
        {
            Log("victoria-metrics: " + _directory.Remove());
        }
    }

    private List<string> Arguments() =>
    [
        $"-httpListenAddr=127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}",
        "-storageDataPath=" + _directory!.Combine("data"),
        "-retentionPeriod=" + _options.RetentionPeriod,
        // Instant queries normally hide the last 30 s of points (-search.latencyOffset) and cache answers; a local
        // city and its tests read what they just wrote, so both are switched off.
        "-search.latencyOffset=0s",
        "-search.disableCache",
        .. _options.ExtraArguments,
    ];

    private async Task<bool> IsHealthyAsync(string newLog, CancellationToken cancellationToken)
    {
        try
        {
            string body = await Http.GetStringAsync(new Uri(BaseUrl + "/health"), cancellationToken).ConfigureAwait(false);
            return body.Trim() == "OK";
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the 2 s HttpClient timeout
        }
    }

    private void Log(string message) => _options.Log?.Invoke(message);

    private static InvalidOperationException NotStarted() => new("LocalVictoriaMetrics is not started; call StartAsync first.");
}
