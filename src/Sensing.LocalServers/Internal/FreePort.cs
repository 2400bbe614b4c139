using System.Net;
using System.Net.Sockets;

namespace Sensing.LocalServers.Internal;

/// <summary>Free TCP ports on 127.0.0.1, picked by the kernel.</summary>
internal static class FreePort
{
    /// <summary>
    /// Binds <paramref name="count"/> sockets to 127.0.0.1:0 at once (so the ports differ), reads their
    /// ports and closes them. Another process may take a port before the server binds it; callers
    /// retry with new ports when a server reports "Address already in use".
    /// </summary>
    public static int[] Pick(int count)
    {
        var sockets = new Socket[count];
        try
        {
            var ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
                ports[i] = ((IPEndPoint)sockets[i].LocalEndPoint!).Port;
            }

            return ports;
        }
        finally
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }
}
