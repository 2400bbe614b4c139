using System.Diagnostics;
using System.Globalization;
using Sensing.Cli;

namespace Sensing.Up;

/// <summary>
/// One part of the city run as a process of its own (<c>sensing gateway|processor|feed|sim city ...</c>), started from
/// the running executable: its output goes to a log file in the run's folder (lines a caller asks for are passed on),
/// and its CPU time and memory are read from /proc, so each part is measured on its own.
/// </summary>
public sealed class PartProcess : IAsyncDisposable
{
    // sysconf(_SC_CLK_TCK): 100 on Linux.
    private const int TicksPerSecond = 100;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly string _folder;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Action<string>? _onLine;
    private readonly int _niceness;
    private readonly string? _executable;
    private TimeSpan _lastCpu;
    private long _peakResident;

    private PartProcess(string kind, string name, Process process, StreamWriter log, string folder, IReadOnlyList<string> arguments, Action<string>? onLine, int niceness, string? executable)
    {
        _niceness = niceness;
        _executable = executable;
        Kind = kind;
        Name = name;
        _process = process;
        _log = log;
        _folder = folder;
        _arguments = arguments;
        _onLine = onLine;
    }

    /// <summary>What the part is: gateway, processor, feed or simulator.</summary>
    public string Kind { get; }

    /// <summary>Its name in the run (gateway-1, ...).</summary>
    public string Name { get; }

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once it has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>sensing ARGUMENTS</c>, writing every line it prints to <c>FOLDER/NAME.log</c>; lines of standard output
    /// also go to <paramref name="onLine"/>. A <paramref name="niceness"/> above 0 starts it through <c>nice</c>, so every
    /// thread it makes runs at that lower priority: on a machine shared by every part, the alert path goes first.
    /// <paramref name="executable"/>, when given, is the build of <c>sensing</c> to start (the native one), else this one.
    /// </summary>
    public static PartProcess Start(string kind, string name, string folder, IEnumerable<string> arguments, Action<string>? onLine = null, int niceness = 0,
        string? executable = null)
    {
        IReadOnlyList<string> kept = [.. arguments];
        var start = SelfProcess.StartInfo(kept, executable);
        if (niceness > 0)
        {
            // nice executes the program in its own process: the process id stays the program's.
            start.ArgumentList.Insert(0, start.FileName);
            start.ArgumentList.Insert(0, niceness.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Insert(0, "-n");
            start.FileName = "nice";
        }

        var log = new StreamWriter(Path.Combine(folder, name + ".log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: the process did not start");
        var part = new PartProcess(kind, name, process, log, folder, kept, onLine, niceness, executable);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                part.Log(line);
                onLine?.Invoke(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                part.Log(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return part;
    }

    /// <summary>CPU time used so far (user + system, all threads), from /proc/PID/stat; the last reading once exited.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            if (Read($"/proc/{Id}/stat") is { } stat)
            {
                // Fields after the command name (which may hold spaces): state is field 3, utime 14 and stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                _lastCpu = TimeSpan.FromSeconds(ticks / (double)TicksPerSecond);
            }

            return _lastCpu;
        }
    }

    /// <summary>Resident memory now, bytes (VmRSS); 0 once exited.</summary>
    public long ResidentBytes => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>Highest resident memory so far, bytes (VmHWM); the last reading once exited.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var now = StatusKilobytes("VmHWM:") * 1024;
            _peakResident = Math.Max(_peakResident, now);
            return _peakResident;
        }
    }

    /// <summary>
    /// Starts the same part again (same kind and arguments) as a new process named <paramref name="name"/>, as a
    /// supervisor restarts a crashed service; this one must have exited.
    /// </summary>
    public PartProcess Restart(string name)
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} still runs (pid {Id}); kill or stop it before a restart");
        }

        return Start(Kind, name, _folder, _arguments, _onLine, _niceness, _executable);
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or an OOM kill would end it.</summary>
    public void Kill()
    {
        _ = CpuTime;
        _ = PeakResidentBytes;
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits up to <paramref name="timeout"/>, then kills it.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _ = CpuTime;
        _ = PeakResidentBytes;
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits until the process exits.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private void Log(string line)
    {
        lock (_logLock)
        {
            _log.WriteLine(line);
        }
    }

    private long StatusKilobytes(string field)
    {
        if (Read($"/proc/{Id}/status") is not { } status)
        {
            return 0;
        }

        var at = status.IndexOf(field, StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        var value = status.AsSpan(at + field.Length);
        value = value[..value.IndexOf('\n')].Trim();
        return long.Parse(value[..value.IndexOf(' ')], CultureInfo.InvariantCulture);
    }

    private string? Read(string path)
    {
        if (_process.HasExited)
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
