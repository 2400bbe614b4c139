namespace Sensing.IntegrationTests.LocalServers;

/// <summary>Looks at processes through /proc, to check that servers are really gone.</summary>
internal static class ServerProcesses
{
    /// <summary>
    /// True when process <paramref name="pid"/> exists, is not a zombie, and its command line mentions
    /// <paramref name="folder"/> (the server's temp folder), so a reused process id is not mistaken for it.
    /// </summary>
    public static bool IsRunning(int pid, string folder)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ...": the state letter follows the last ')'; Z and X are dead processes.
            char state = stat[stat.LastIndexOf(')') + 2];
            if (state is 'Z' or 'X')
            {
                return false;
            }

            string commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return commandLine.Contains(folder, StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
