using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sensing.IntegrationTests.Storage;

/// <summary>
/// A real store server (victoria-metrics, influxd) started by a test: its own temp folder, loopback ports, output
/// captured for failure messages, and killed by PID (with its children) on dispose.
/// </summary>
internal sealed class StoreServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private StoreServerProcess(Process process) => _process = process;

    /// <summary>The server's temp folder, deleted on dispose.</summary>
    public required string Folder { get; init; }

    /// <summary>What the server printed so far (for assertion messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }


    public static StoreServerProcess Start(string executable, string folder, params string[] arguments)
    {
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"{executable} is not installed (Debian package victoria-metrics / influxdb).", executable);
        }

        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var server = new StoreServerProcess(process) { Folder = folder };
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx; fails with the server's output otherwise.</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, string url, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} did not become ready within {timeout}:\n{Log}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open must not hide the test result; the OS temp cleaner takes it.
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
