using System.Diagnostics;

namespace Sensing.LocalServers.Internal;

/// <summary>The outcome of a short-lived java command.</summary>
internal sealed record JavaToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for messages.</summary>
    public string Output => (StandardOutput + Environment.NewLine + StandardError).Trim();
}

/// <summary>
/// Runs a short-lived java command (kafka.admin.TopicCommand) to completion and captures its output.
/// Not wrapped like the servers: it exits by itself, and is killed by id on timeout or cancellation.
/// </summary>
internal static class JavaTool
{
    // Tools run for well under a second of work: the client compiler (C1 only) and the serial
    // collector make the JVM start about a third faster than the defaults and use less memory.
    private static readonly string[] ToolJvmOptions = ["-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true"];

    public static async Task<JavaToolResult> RunAsync(
        string java, string classpath, string log4jConfig, string mainClass, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(java)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string option in ToolJvmOptions)
        {
            startInfo.ArgumentList.Add(option);
        }

        startInfo.ArgumentList.Add("-Dlog4j.configuration=file:" + log4jConfig);
        startInfo.ArgumentList.Add("-cp");
        startInfo.ArgumentList.Add(classpath);
        startInfo.ArgumentList.Add(mainClass);
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new LocalServerException($"could not start {java}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new LocalServerException(
                $"{mainClass} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s:{Environment.NewLine}{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }

        return new JavaToolResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
