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
    private readonly SingleServer _server;
    private string _executable = "";
    private int _port;
    private int _rpcPort;
    private bool _disposed;

    /// <summary>Creates the server's owner; nothing runs until <see cref="StartAsync"/>.</summary>
    public LocalInfluxDb(LocalInfluxDbOptions? options = null)
    {
        _options = options ?? LocalInfluxDbOptions.Default;
        _server = new SingleServer("influxd", _options.StartTimeout, _options.StopTimeout, _options.Log);
    }

    /// <summary>"http://127.0.0.1:PORT", without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The HTTP port; it stays the same across restarts.</summary>
    public int Port => _port != 0 ? _port : throw NotStarted();

    /// <summary>The folder with influxdb.conf, meta/, data/, wal/ and influxd.log.</summary>
    public string Directory => _server.Directory?.Path ?? throw NotStarted();

    /// <summary>The server's process id while it runs, else null.</summary>
    public int? ProcessId => _server.ProcessId;

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _server.IsRunning;

    /// <summary>
    /// Starts influxd and returns when GET /ping answers 204 and the databases of the options exist.
    /// The first start picks the ports and folder; a start after <see cref="StopAsync"/> or
    /// <see cref="Kill"/> reuses both, so the data survives. Does nothing when the server runs.
    /// </summary>
    /// <exception cref="LocalServerException">influxd is missing or did not start, or refused a database (the message says why).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        if (_server.Directory is null)
        {
            _executable = Installation.FindInfluxd(_options.Executable);
            _server.CreateDirectory("influxdb", _options.DataDirectory);
        }

        string config = _server.Directory!.Combine("influxdb.conf");
        await _server.StartAsync(_executable, "influxd.log", async newPorts =>
        {
            if (_port == 0 || newPorts)
            {
                int[] ports = FreePorts.Pick(2);
                _port = _options.Port != 0 ? _options.Port : ports[0];
                _rpcPort = ports[1];
            }

            await File.WriteAllTextAsync(config, Config(), cancellationToken).ConfigureAwait(false);
            return ["-config", config];
        }, IsHealthyAsync, _options.Port == 0, () => BaseUrl, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (string database in _options.Databases)
            {
                await CreateDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _server.Kill();
            throw;
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
    public Task StopAsync(CancellationToken cancellationToken = default) => _server.StopAsync(cancellationToken);

    /// <summary>
    /// SIGKILLs influxd. Points it acknowledged are in its write-ahead log and survive a restart. Does
    /// nothing when it is not running.
    /// </summary>
    public void Kill() => _server.Kill();

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

    // Every listener on loopback: the HTTP API, and the backup/restore RPC service (bind-address), which would take
    // the fixed port 8088 otherwise. Usage reporting and the self-monitoring database are off.
    private string Config() => string.Create(CultureInfo.InvariantCulture, $"""
        reporting-disabled = true
        bind-address = "127.0.0.1:{_rpcPort}"

        [meta]
          dir = "{_server.Directory!.Combine("meta")}"

        [data]
          dir = "{_server.Directory.Combine("data")}"
          wal-dir = "{_server.Directory.Combine("wal")}"
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

    private static InvalidOperationException NotStarted() => new("LocalInfluxDb is not started; call StartAsync first.");
}
