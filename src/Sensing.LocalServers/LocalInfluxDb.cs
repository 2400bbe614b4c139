using System.Diagnostics;
using System.Globalization;
using Sensing.LocalServers.Internal;

namespace Sensing.LocalServers;

/// <summary>
/// An InfluxDB 1.x server (Debian's influxd) on 127.0.0.1 with its config, data and log in one folder:
/// line protocol on /write?db=, InfluxQL on /query, /ping for health. Can be stopped and started
/// again on the same ports and data. Not thread-safe: one caller drives it at a time.
/// </summary>
public sealed class LocalInfluxDb : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly LocalInfluxDbOptions _options;
    private ServerDirectory? _directory;
    private string _executable = "";
    private int _port;
    private int _rpcPort;
    private ServerProcess? _server;
    private bool _disposed;

    /// <summary>Creates the server's owner; nothing runs until <see cref="StartAsync"/>.</summary>
    public LocalInfluxDb(LocalInfluxDbOptions? options = null)
    {
        _options = options ?? LocalInfluxDbOptions.Default;
    }

    /// <summary>"http://127.0.0.1:PORT", without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The HTTP port; it stays the same across restarts.</summary>
    public int Port => _port != 0 ? _port : throw NotStarted();

    /// <summary>The folder with influxdb.conf, meta/, data/, wal/ and influxd.log.</summary>
    public string Directory => _directory?.Path ?? throw NotStarted();

    /// <summary>The server's process id while it runs, else null.</summary>
    public int? ProcessId => _server is { HasExited: false } server ? server.ServerProcessId : null;

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _server is { HasExited: false };

    /// <summary>
    /// Starts influxd and returns when GET /ping answers 204 and the databases of the options exist.
    /// The first start picks the ports and folder; a start after <see cref="StopAsync"/> or
    /// <see cref="Kill"/> reuses both, so the data survives. Does nothing when the server runs.
    /// </summary>
    /// <exception cref="LocalServerException">influxd is missing or did not start (the message holds its log tail).</exception>
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
            _executable = Installation.FindInfluxd(_options.Executable);
            _directory = ServerDirectory.Create("influxdb", _options.DataDirectory);
            Log($"influxd: folder {_directory.Path}");
        }

        const int Attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            if (_port == 0 || attempt > 1)
            {
                int[] ports = FreePort.Pick(2);
                _port = _options.Port != 0 ? _options.Port : ports[0];
                _rpcPort = ports[1];
            }

            string config = _directory!.Combine("influxdb.conf");
            await File.WriteAllTextAsync(config, Config(), cancellationToken).ConfigureAwait(false);
            string logPath = _directory.Combine("influxd.log");
            long logOffset = LogTail.Length(logPath);
            var elapsed = Stopwatch.StartNew();
            _server = ServerProcess.Start("influxd", _executable, ["-config", config], _directory.Path, logPath, (int)_options.StopTimeout.TotalSeconds);
            try
            {
                await Readiness.WaitAsync(_server, logOffset, IsHealthyAsync, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
                foreach (string database in _options.Databases)
                {
                    await CreateDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
                }

                Log($"influxd: ready at {BaseUrl} (pid {_server.ServerProcessId}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
                return;
            }
            catch (LocalServerException) when (first && _options.Port == 0 && attempt < Attempts && Readiness.FailedOnTakenPort(_server, logOffset))
            {
                Log($"influxd: port {_port} or {_rpcPort} was taken; retrying on others");
            }
            catch
            {
                _server?.Kill();
                _server = null;
                throw;
            }
        }
    }

    /// <summary>
    /// CREATE DATABASE <paramref name="name"/> over /query (InfluxDB does nothing when it exists).
    /// </summary>
    /// <exception cref="LocalServerException">the server refused the statement (the message holds its answer).</exception>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // InfluxQL identifiers in double quotes escape '"' and '\' with a backslash.
        string statement = $"CREATE DATABASE \"{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        using var body = new FormUrlEncodedContent([new("q", statement)]);
        using HttpResponseMessage response = await Http.PostAsync(new Uri(BaseUrl + "/query"), body, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        // A refused statement is HTTP 200 with "error" in its result, or a 4xx with "error" at the top.
        if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new LocalServerException($"influxd refused {statement}: HTTP {(int)response.StatusCode} {text}");
        }
    }

    /// <summary>
    /// Stops influxd gracefully (SIGTERM), killing it after <see cref="LocalInfluxDbOptions.StopTimeout"/>.
    /// Does nothing when it is not running.
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
            ? $"influxd: stopped in {elapsed.Elapsed.TotalSeconds:0.0} s"
            : $"influxd: did not stop within {_options.StopTimeout.TotalSeconds:0} s and was killed");
    }

    /// <summary>
    /// SIGKILLs influxd. Points it acknowledged are in its write-ahead log and survive a restart. Does
    /// nothing when it is not running.
    /// </summary>
    public void Kill()
    {
        if (_server is null)
        {
            return;
        }

        _server.Kill();
        _server = null;
        Log("influxd: killed (SIGKILL)");
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
            Log("influxd: " + _directory.Remove());
        }
    }

    // Every listener on loopback: the HTTP API, and the backup/restore RPC service (bind-address), which would take
    // the fixed port 8088 otherwise. Usage reporting and the self-monitoring database are off.
    private string Config() => string.Create(CultureInfo.InvariantCulture, $"""
        reporting-disabled = true
        bind-address = "127.0.0.1:{_rpcPort}"

        [meta]
          dir = "{_directory!.Combine("meta")}"

        [data]
          dir = "{_directory.Combine("data")}"
          wal-dir = "{_directory.Combine("wal")}"
          query-log-enabled = false

        [monitor]
          store-enabled = false

        [http]
          bind-address = "127.0.0.1:{_port}"
          log-enabled = false

        """);

    private async Task<bool> IsHealthyAsync(string newLog, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await Http.GetAsync(new Uri(BaseUrl + "/ping"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the HttpClient timeout
        }
    }

    private void Log(string message) => _options.Log?.Invoke(message);

    private static InvalidOperationException NotStarted() => new("LocalInfluxDb is not started; call StartAsync first.");
}
