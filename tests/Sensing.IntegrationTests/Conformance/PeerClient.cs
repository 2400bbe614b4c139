using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>What a client program printed and how it exited (-1: killed at the timeout).</summary>
public sealed record PeerResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {Output.Trim()}; stderr: {Error.Trim()}";
}

/// <summary>
/// Runs MQTT clients written by others as separate processes: mosquitto_pub / mosquitto_sub (mosquitto 2.0),
/// python3-paho-mqtt 1.6 (Debian's python, a script written by the test) and MQTT.js 5 (node, a script written by the
/// test). Each process is stopped by the test that started it, by its own handle.
/// </summary>
public sealed class PeerClient : IAsyncDisposable
{
    private static readonly string NodeModules = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sensing", "npm", "node_modules");

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _script;

    private PeerClient(ProcessStartInfo start, string? script)
    {
        _script = script;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            _firstLine.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_error)
                {
                    _error.AppendLine(e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// mosquitto_pub / mosquitto_sub with the broker address filled in, line-buffered through stdbuf so the test sees
    /// each line as it is printed.
    /// </summary>
    public static PeerClient Mosquitto(string program, IPEndPoint gateway, params string[] arguments)
    {
        var start = new ProcessStartInfo("stdbuf");
        foreach (var a in (string[])["-oL", program, "-h", gateway.Address.ToString(), "-p", gateway.Port.ToString(CultureInfo.InvariantCulture), .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        return new PeerClient(start, null);
    }

    /// <summary>A paho-mqtt script run by Debian's python3 (where python3-paho-mqtt is installed).</summary>
    public static PeerClient Paho(string script, params string[] arguments) => Script("/usr/bin/python3", ".py", script, arguments, null);

    /// <summary>An MQTT.js script run by node, with the npm cache on NODE_PATH.</summary>
    public static PeerClient MqttJs(string script, params string[] arguments) => Script("node", ".js", script, arguments, NodeModules);

    /// <summary>A .NET program built next to the tests (its <c>.dll</c>), run by <c>dotnet</c>.</summary>
    public static PeerClient DotNet(string assembly, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, assembly), .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        return new PeerClient(start, null);
    }

    /// <summary>Runs a client to its end.</summary>
    public static async Task<PeerResult> RunAsync(PeerClient client, TimeSpan? timeout = null)
    {
        await using (client)
        {
            return await client.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Waits until the client printed its first line (e.g. "subscribed").</summary>
    public async Task<bool> WaitForOutputAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_firstLine.Task, Task.Delay(timeout));
        return done == _firstLine.Task;
    }

    /// <summary>Waits for the client to exit; kills it at the timeout (exit code -1).</summary>
    public async Task<PeerResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var code = -1;
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            code = _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        lock (_error)
        {
            return new PeerResult(code, Output, _error.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_script is not null)
        {
            File.Delete(_script);
        }
    }

    private static PeerClient Script(string program, string extension, string script, string[] arguments, string? nodePath)
    {
        var path = Path.Combine(Path.GetTempPath(), "sensing-peer-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, script);
        var start = new ProcessStartInfo(program);
        start.ArgumentList.Add(path);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        if (nodePath is not null)
        {
            start.Environment["NODE_PATH"] = nodePath;
        }

        return new PeerClient(start, path);
    }
}
