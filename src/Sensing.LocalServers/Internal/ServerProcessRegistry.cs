using System.Diagnostics;

namespace Sensing.LocalServers.Internal;

/// <summary>
/// Every server this process started and has not stopped yet, so that none outlives a process that
/// ends without disposing it:
/// <list type="bullet">
/// <item>normal exit (<see cref="AppDomain.ProcessExit"/>): all are asked to stop gracefully, waited
/// for up to <see cref="ExitGrace"/>, and the rest are killed;</item>
/// <item>Ctrl+C (<see cref="Console.CancelKeyPress"/>): all are asked to stop gracefully without
/// waiting; the wrappers finish the job even if this process is gone by then;</item>
/// <item>SIGTERM (.NET raises no ProcessExit for it), SIGKILL or a crash run no handler here: the
/// kernel closes the pipes, and each wrapper in <see cref="ServerProcess"/> stops its server.
/// No SIGTERM/SIGHUP registration on purpose: a host that handles those signals and keeps running
/// (or runs under nohup) must keep its servers.</item>
/// </list>
/// </summary>
internal static class ServerProcessRegistry
{
    /// <summary>Enough for the broker's controlled shutdown (about 2 s here) and ZooKeeper after it.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);

    private static readonly Lock Gate = new();
    private static readonly HashSet<ServerProcess> Live = [];
    private static bool _hooked;

    public static void Add(ServerProcess server)
    {
        lock (Gate)
        {
            if (!_hooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
                Console.CancelKeyPress += (_, _) => RequestStopAll();
                _hooked = true;
            }

            Live.Add(server);
        }
    }

    public static void Remove(ServerProcess server)
    {
        lock (Gate)
        {
            Live.Remove(server);
        }
    }

    private static ServerProcess[] Snapshot()
    {
        lock (Gate)
        {
            return [.. Live];
        }
    }

    private static void StopAll()
    {
        ServerProcess[] servers = Snapshot();
        foreach (ServerProcess server in servers)
        {
            server.RequestStop();
        }

        var elapsed = Stopwatch.StartNew();
        foreach (ServerProcess server in servers)
        {
            TimeSpan left = ExitGrace - elapsed.Elapsed;
            if (!server.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                server.Kill();
            }
        }
    }

    private static void RequestStopAll()
    {
        foreach (ServerProcess server in Snapshot())
        {
            server.RequestStop();
        }
    }
}
