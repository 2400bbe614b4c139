using System.Diagnostics;

namespace Sensing.Cli;

/// <summary>Starting this same executable again as a child process (a part of <c>sensing up</c>, a simulator shard).</summary>
internal static class SelfProcess
{
    /// <summary>
    /// How to start <c>sensing ARGUMENTS</c> with its output redirected: the apphost, <c>dotnet sensing.dll</c>, or the
    /// native build, whichever this process is; or <paramref name="executable"/> when given (another build of
    /// <c>sensing</c>, such as the native one for the gateways).
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? executable = null)
    {
        var start = new ProcessStartInfo(string.IsNullOrEmpty(executable) ? Environment.ProcessPath ?? "dotnet" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sensing.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
