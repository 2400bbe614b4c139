using System.Diagnostics;

namespace Sensing.LocalServers.Internal;

/// <summary>
/// The life of one local server process in its own folder, shared by <see cref="LocalVictoriaMetrics"/> and
/// <see cref="LocalInfluxDb"/>: a start that waits for readiness and, on the first start with picked ports, retries on
/// new ports when one was taken; a graceful stop; a kill; the folder's removal. The owners add their command line,
/// ports and readiness check. Not thread-safe.
/// </summary>
internal sealed class SingleServer(string name, TimeSpan startTimeout, TimeSpan stopTimeout, Action<string>? log)
{
    private const int Attempts = 3;
    private ServerProcess? _server;
    private bool _started;

    /// <summary>The server's folder once <see cref="CreateDirectory"/> ran, else null.</summary>
    public ServerDirectory? Directory { get; private set; }

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _server is { HasExited: false };

    /// <summary>The server's process id while it runs, else null.</summary>
    public int? ProcessId => _server is { HasExited: false } server ? server.ServerProcessId : null;

    /// <summary>Creates the folder (once): <paramref name="chosen"/>, else a fresh temp folder.</summary>
    public ServerDirectory CreateDirectory(string prefix, string? chosen)
    {
        if (Directory is null)
        {
            Directory = ServerDirectory.Create(prefix, chosen);
            Log($"{name}: folder {Directory.Path}");
        }

        return Directory;
    }

    /// <summary>
    /// Starts <paramref name="executable"/> and waits until <paramref name="isReady"/> says so. Before each attempt
    /// <paramref name="prepare"/> gets whether to pick new ports (a retry after a taken port) and returns the command
    /// line. Retries happen only on the first start and only when <paramref name="portsPicked"/> (a port given by the
    /// caller is not changed). Kills the server when it did not become ready.
    /// </summary>
    public async Task StartAsync(
        string executable, string logName, Func<bool, Task<IReadOnlyList<string>>> prepare, Func<string, CancellationToken, Task<bool>> isReady,
        bool portsPicked, Func<string> describe, CancellationToken cancellationToken)
    {
        bool first = !_started;
        for (int attempt = 1; ; attempt++)
        {
            IReadOnlyList<string> arguments = await prepare(attempt > 1).ConfigureAwait(false);
            string logPath = Directory!.Combine(logName);
            long logOffset = LogTail.Length(logPath);
            var elapsed = Stopwatch.StartNew();
            _server = ServerProcess.Start(name, executable, arguments, Directory.Path, logPath, (int)stopTimeout.TotalSeconds);
            try
            {
                await Readiness.WaitAsync(_server, logOffset, isReady, startTimeout, cancellationToken).ConfigureAwait(false);
                _started = true;
                Log($"{name}: ready at {describe()} (pid {_server.ServerProcessId}) in {elapsed.Elapsed.TotalSeconds:0.0} s");
                return;
            }
            catch (LocalServerException) when (first && portsPicked && attempt < Attempts && Readiness.FailedOnTakenPort(_server, logOffset))
            {
                Log($"{name}: a port was taken; retrying on another");
            }
            catch
            {
                _server = null;
                throw;
            }
        }
    }

    /// <summary>Stops the server gracefully, killing it after the stop timeout. Does nothing when it is not running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }

        var elapsed = Stopwatch.StartNew();
        bool graceful = await _server.StopAsync(stopTimeout, cancellationToken).ConfigureAwait(false);
        _server = null;
        Log(graceful
            ? $"{name}: stopped in {elapsed.Elapsed.TotalSeconds:0.0} s"
            : $"{name}: did not stop within {stopTimeout.TotalSeconds:0} s and was killed");
    }

    /// <summary>SIGKILLs the server (by process id). Does nothing when it is not running.</summary>
    public void Kill()
    {
        if (_server is null)
        {
            return;
        }

        _server.Kill();
        _server = null;
        Log($"{name}: killed (SIGKILL)");
    }

    /// <summary>Stops the server and removes a temp folder.</summary>
    public async Task DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Directory is not null)
        {
            Log($"{name}: " + Directory.Remove());
        }
    }

    private void Log(string message) => log?.Invoke(message);
}
