using System.Diagnostics;
using System.Globalization;

namespace Sensing.IntegrationTests;

/// <summary>Runs the built <c>sensing</c> executable (next to the tests) as a process of its own, the way a user does.</summary>
internal static class SensingCommand
{
    /// <summary>
    /// Runs <c>sensing ARGUMENTS</c>, echoing every line it prints to the test's progress output under
    /// <paramref name="prefix"/>; past <paramref name="timeout"/> it is asked to stop (SIGTERM), so it stops what it
    /// started by process id on its way out. Returns its exit code and every line of standard output and error.
    /// </summary>
    public static Task<(int ExitCode, List<string> Lines)> RunAsync(string prefix, TimeSpan timeout, params string[] arguments) =>
        RunAsync(prefix, timeout, _ => { }, arguments);

    /// <summary>
    /// As <see cref="RunAsync(string, TimeSpan, string[])"/>, and every line is also given to <paramref name="onLine"/> as it
    /// is printed (from the process's output threads), so a test can act while the command still runs.
    /// </summary>
    public static async Task<(int ExitCode, List<string> Lines)> RunAsync(string prefix, TimeSpan timeout, Action<string> onLine, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sensing.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        void Line(string? line)
        {
            if (line is not null)
            {
                TestContext.Progress.WriteLine($"{prefix}: {line}");
                lock (lines)
                {
                    lines.Add(line);
                }

                onLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        lock (lines)
        {
            return (process.ExitCode, [.. lines]);
        }
    }
}
