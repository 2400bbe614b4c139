using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sensing.LocalServers.Internal;

/// <summary>
/// ZooKeeper's four-letter-word commands over plain TCP (ZooKeeper 3.4 admin guide, "ZooKeeper
/// Commands: The Four Letter Words"): the server reads four bytes, writes its answer and closes.
/// </summary>
internal static class ZooKeeperProbe
{
    /// <summary>True when the server answers "ruok" with "imok" (it is serving requests).</summary>
    public static async Task<bool> IsServingAsync(int port, CancellationToken cancellationToken)
        => await AskAsync(port, "ruok", cancellationToken).ConfigureAwait(false) == "imok";

    /// <summary>
    /// True while some session still owns the ephemeral node <paramref name="path"/>. After a broker is
    /// SIGKILLed its registration /brokers/ids/N lives on until its session times out, and a broker
    /// started before that fails with "A broker is already registered on the path /brokers/ids/N".
    /// "dump" lists every session's ephemeral nodes, one per line, tab-indented. Null when the server did not answer
    /// (on a loaded machine it may take longer than the probe's 2 s, or refuse while busy): ask again.
    /// </summary>
    public static async Task<bool?> HasEphemeralNodeAsync(int port, string path, CancellationToken cancellationToken)
    {
        if (await AskAsync(port, "dump", cancellationToken).ConfigureAwait(false) is not { } dump)
        {
            return null;
        }

        foreach (string line in dump.Split('\n'))
        {
            if (line.Trim() == path)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends a four-letter word and returns the whole answer, or null when the server cannot be reached.</summary>
    private static async Task<string?> AskAsync(int port, string word, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return answer.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
