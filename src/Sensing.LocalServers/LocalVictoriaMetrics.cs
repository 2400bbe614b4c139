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
    private readonly SingleServer _server;
    private string _executable = "";
    private int _port;
    private bool _disposed;

    /// <summary>Creates the server's owner; nothing runs until <see cref="StartAsync"/>.</summary>
    public LocalVictoriaMetrics(LocalVictoriaMetricsOptions? options = null)
    {
        _options = options ?? LocalVictoriaMetricsOptions.Default;
        _server = new SingleServer("victoria-metrics", _options.StartTimeout, _options.StopTimeout, _options.Log);
    }

    /// <summary>"http://127.0.0.1:PORT", without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The HTTP port; it stays the same across restarts.</summary>
    public int Port => _port != 0 ? _port : throw NotStarted();

    /// <summary>The folder with the data (data/) and the log (victoria-metrics.log).</summary>
    public string Directory => _server.Directory?.Path ?? throw NotStarted();

    /// <summary>The server's process id while it runs, else null.</summary>
    public int? ProcessId => _server.ProcessId;

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _server.IsRunning;

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

        if (_server.Directory is null)
        {
            _executable = Installation.FindVictoriaMetrics(_options.Executable);
            _server.CreateDirectory("victoria-metrics", _options.DataDirectory);
        }

        await _server.StartAsync(_executable, "victoria-metrics.log", newPort =>
        {
            if (_port == 0 || newPort)
            {
                _port = _options.Port != 0 ? _options.Port : FreePorts.Pick(1)[0];
            }

            return Task.FromResult<IReadOnlyList<string>>(Arguments());
        }, IsHealthyAsync, _options.Port == 0, () => BaseUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the server gracefully (SIGTERM: it flushes buffered points to disk first), killing it
    /// after <see cref="LocalVictoriaMetricsOptions.StopTimeout"/>. Does nothing when it is not running.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _server.StopAsync(cancellationToken);

    /// <summary>
    /// SIGKILLs the server: points not yet persisted are lost (VictoriaMetrics keeps the last few
    /// seconds in memory; <see cref="FlushAsync"/> makes them searchable, not durable). Does nothing
    /// when it is not running.
    /// </summary>
    public void Kill() => _server.Kill();

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
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private List<string> Arguments() =>
    [
        $"-httpListenAddr=127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}",
        "-storageDataPath=" + _server.Directory!.Combine("data"),
        "-retentionPeriod=" + _options.RetentionPeriod,
        // Instant queries normally hide the last 30 s of points (-search.latencyOffset) and cache answers; a local
        // city and its tests read what they just wrote, so both are switched off.
        "-search.latencyOffset=0s",
        "-search.disableCache",
        // A city has over a million series (every device's aggregates and readings); the default limit of 300,000
        // series per query would fail a city-wide panel such as the total of readings per minute.
        "-search.maxUniqueTimeseries=10000000",
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

    private static InvalidOperationException NotStarted() => new("LocalVictoriaMetrics is not started; call StartAsync first.");
}
