using System.Diagnostics;
using System.Reflection;

namespace Sensing.Cli;

/// <summary>Starting this same executable again as a child process (a part of <c>sensing up</c>, a simulator shard).</summary>
internal static class SelfProcess
{
    /// <summary>How to start <c>sensing ARGUMENTS</c> with its output redirected: the apphost, or <c>dotnet sensing.dll</c>.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
