using System.Diagnostics;

namespace Sensing.LocalServers.Internal;

/// <summary>Waits for a freshly started server to become ready, failing fast when it exits.</summary>
internal static class Readiness
{
    /// <summary>What a server logs when its port was taken between our pick and its bind.</summary>
    public const string AddressInUse = "Address already in use";

    /// <summary>
    /// Polls <paramref name="isReady"/> (given the log text written since <paramref name="logOffset"/>)
    /// every 50 ms until it returns true. When the server exits, or is not ready within
    /// <paramref name="timeout"/>, or the wait is cancelled, the server is killed; the first two throw a
    /// <see cref="LocalServerException"/> ending with the tail of the server's log.
    /// </summary>
    public static async Task WaitAsync(
        ServerProcess server, long logOffset, Func<string, CancellationToken, Task<bool>> isReady, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        try
        {
            await server.WaitForServerPidAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                if (server.HasExited)
                {
                    throw new LocalServerException($"{server.Name} exited during start.{LogTail.Format(server.LogPath)}");
                }

                if (await isReady(LogTail.ReadFrom(server.LogPath, logOffset), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                if (elapsed.Elapsed > timeout)
                {
                    throw new LocalServerException(
                        $"{server.Name} was not ready within {timeout.TotalSeconds:0} s.{LogTail.Format(server.LogPath)}");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            server.Kill();
            throw;
        }
    }

    /// <summary>True when the start failed because the port was taken (so a retry on a new port may work).</summary>
    public static bool FailedOnTakenPort(ServerProcess server, long logOffset)
        => LogTail.ReadFrom(server.LogPath, logOffset).Contains(AddressInUse, StringComparison.OrdinalIgnoreCase);
}
