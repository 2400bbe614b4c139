using System.Diagnostics;
using System.Globalization;

namespace Sensing.LocalServers.Internal;

/// <summary>
/// One long-running server (java, victoria-metrics) started under a small bash wrapper that ties its
/// life to ours. The wrapper appends the server's stdout and stderr to a log file, writes the server's
/// process id to a pid file and keeps the read end of a pipe whose only write end is our redirected
/// standard input. When that pipe reaches end-of-file — we closed it to ask for a graceful stop, or
/// this process died in any way, SIGKILL included, and the kernel closed it for us — the wrapper's
/// watcher sends SIGTERM to the server and SIGKILL after a grace period. No polling of parent ids,
/// so no race with process-id reuse. A server can be told to stop only after another one has exited
/// (ZooKeeper after the broker: a broker whose ZooKeeper is gone hangs in its controlled shutdown).
/// </summary>
internal sealed class ServerProcess
{
    // $1 log file, $2 pid file, $3 grace seconds, $4 pid file of a server to outlive ("" for none),
    // then the server's command line. fd 3 keeps our pipe; the server itself gets /dev/null as stdin
    // and never sees fd 3. `wait` returns when the server exits, so the wrapper's exit code is the server's.
    private const string WrapperScript = """
        log="$1"; pidfile="$2"; grace="$3"; after="$4"; shift 4
        exec 3<&0 </dev/null >>"$log" 2>&1
        "$@" 3<&- &
        child=$!
        echo "$child" > "$pidfile"
        {
          while read -r -u 3 _; do :; done
          if [ -s "$after" ]; then
            other=$(cat "$after")
            for ((i = 0; i < grace * 10; i++)); do kill -0 "$other" 2>/dev/null || break; sleep 0.1; done
          fi
          kill -TERM "$child" 2>/dev/null || exit 0
          for ((i = 0; i < grace * 10; i++)); do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.1; done
          echo "[sensing] pid $child still running ${grace}s after being asked to stop: SIGKILL"
          kill -KILL "$child" 2>/dev/null
        } &
        watcher=$!
        exec 3<&-
        wait "$child"; rc=$?
        kill "$watcher" 2>/dev/null
        exit "$rc"
        """;

    private readonly Process _wrapper;
    private readonly string _pidPath;
    private Process? _server;

    private ServerProcess(string name, Process wrapper, string logPath, string pidPath)
    {
        Name = name;
        _wrapper = wrapper;
        LogPath = logPath;
        _pidPath = pidPath;
    }

    /// <summary>Short name used in messages ("zookeeper", "kafka", "victoria-metrics").</summary>
    public string Name { get; }

    /// <summary>The file the server's stdout and stderr are appended to.</summary>
    public string LogPath { get; }

    /// <summary>The server's own process id (not the wrapper's); 0 until <see cref="WaitForServerPidAsync"/>.</summary>
    public int ServerProcessId { get; private set; }

    /// <summary>True once the wrapper (and so the server) has exited.</summary>
    public bool HasExited => _wrapper.HasExited;

    /// <summary>The file a server's wrapper writes the server's process id to.</summary>
    public static string PidPath(string folder, string name) => Path.Combine(folder, name + ".pid");

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> under the wrapper, in
    /// <paramref name="folder"/> (where its pid file goes too). When the wrapper's watcher has to stop
    /// it, it first waits (up to the grace period) for the process in <paramref name="stopAfterPidPath"/>.
    /// </summary>
    public static ServerProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string folder, string logPath, int graceSeconds, string? stopAfterPidPath = null)
    {
        string pidPath = PidPath(folder, name);
        File.Delete(pidPath);
        var startInfo = new ProcessStartInfo("/bin/bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = folder,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(WrapperScript);
        startInfo.ArgumentList.Add("sensing-" + name); // $0, shows in ps
        startInfo.ArgumentList.Add(logPath);
        startInfo.ArgumentList.Add(pidPath);
        startInfo.ArgumentList.Add(graceSeconds.ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(stopAfterPidPath ?? "");
        startInfo.ArgumentList.Add(fileName);
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var wrapper = Process.Start(startInfo)
            ?? throw new LocalServerException($"{name}: could not start /bin/bash");
        var server = new ServerProcess(name, wrapper, logPath, pidPath);
        ServerProcessRegistry.Add(server);
        return server;
    }

    /// <summary>Waits until the wrapper has written the server's process id.</summary>
    public async Task WaitForServerPidAsync(CancellationToken cancellationToken)
    {
        while (ServerProcessId == 0)
        {
            string text = File.Exists(_pidPath) ? await File.ReadAllTextAsync(_pidPath, cancellationToken).ConfigureAwait(false) : "";
            if (text.EndsWith('\n') && int.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                ServerProcessId = pid;
                try
                {
                    _server = Process.GetProcessById(pid);
                }
                catch (ArgumentException)
                {
                    _server = null; // already gone; the caller sees the wrapper exit
                }

                return;
            }

            if (_wrapper.HasExited)
            {
                throw new LocalServerException($"{Name}: the wrapper exited (code {_wrapper.ExitCode}) before starting the server.{LogTail.Format(LogPath)}");
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Graceful stop: closes the pipe so the wrapper sends SIGTERM; waits up to <paramref name="timeout"/>,
    /// then kills. Returns true when the server exited by itself.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        RequestStop();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _wrapper.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            ServerProcessRegistry.Remove(this);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the wrapper (and so the server) to exit.</summary>
    public bool WaitForExit(TimeSpan timeout) => _wrapper.WaitForExit(timeout);

    /// <summary>Asks for a graceful stop without waiting: the wrapper sends SIGTERM.</summary>
    public void RequestStop()
    {
        try
        {
            _wrapper.StandardInput.Close();
        }
        catch (IOException)
        {
            // The wrapper is gone already: nothing to ask.
        }
    }

    /// <summary>
    /// SIGKILL, by process id: first the server (so the wrapper reaps it and no zombie is left), then
    /// the wrapper's whole tree if it has not exited by itself within a second.
    /// </summary>
    public void Kill()
    {
        KillQuietly(_server, entireProcessTree: false);
        if (!_wrapper.WaitForExit(TimeSpan.FromSeconds(1)))
        {
            KillQuietly(_wrapper, entireProcessTree: true);
        }

        _wrapper.WaitForExit();
        _server?.WaitForExit(TimeSpan.FromSeconds(5));
        ServerProcessRegistry.Remove(this);
    }

    private static void KillQuietly(Process? process, bool entireProcessTree)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited and its id is no longer ours to signal.
        }
    }
}
