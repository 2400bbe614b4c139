using System.Diagnostics;
using System.Globalization;

namespace Sensing.IntegrationTests.Registry;

/// <summary>
/// A long-running <c>sensing</c> part (gateway, processor) started from the built executable, its output kept and
/// echoed to the test's progress; stopped by its process id.
/// </summary>
internal sealed class SensingServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private SensingServerProcess(string name, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sensing.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            TestContext.Progress.WriteLine($"{name}: {line}");
            lock (_lines)
            {
                _lines.Add(line);
            }
        }

        _process.OutputDataReceived += (_, e) => Line(e.Data);
        _process.ErrorDataReceived += (_, e) => Line(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Every line printed so far.</summary>
    public string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static SensingServerProcess Start(string name, params string[] arguments) => new(name, arguments);

    /// <summary>Waits until a line contains <paramref name="text"/>; returns it, or fails naming what was printed.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"no line with '{text}' within {timeout.TotalSeconds:0} s; printed:\n{string.Join('\n', Lines.TakeLast(30))}");
        return "";
    }

    /// <summary>SIGKILL by process id: no shutdown, nothing flushed; waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                term.WaitForExit();
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        _process.Dispose();
    }
}
