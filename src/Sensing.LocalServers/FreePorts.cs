using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sensing.LocalServers;

/// <summary>Free TCP ports on 127.0.0.1 for local servers, picked below the kernel's ephemeral port range.</summary>
/// <remarks>
/// A port the kernel picks for a bind to port 0 comes from the ephemeral range (32768-60999 here), which is also where
/// every outgoing connection takes its local port: on a machine opening thousands of connections (a city's devices,
/// Kafka clients) such a port is often taken again before the server binds it. Ports below that range are only ever
/// taken by a listener that asks for them, so a port picked there stays free until the server binds it, short of a
/// second process picking the same one (a random start makes that unlikely; callers that can retry on "Address
/// already in use" still do).
/// </remarks>
public static class FreePorts
{
    private const int Lowest = 10_000;

    /// <summary>One free port.</summary>
    public static int Pick() => Pick(1)[0];

    /// <summary>
    /// <paramref name="count"/> different free ports: each is bound at once (so none is picked twice), then all are
    /// released together.
    /// </summary>
    public static int[] Pick(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var below = EphemeralLow();
        var sockets = new List<Socket>(count);
        try
        {
            var ports = new int[count];
            var span = below - Lowest;
            var start = span > 0 ? Random.Shared.Next(span) : 0;
            for (int i = 0, tried = 0; i < count; tried++)
            {
                // Below the ephemeral range while it has room; the kernel's own pick (port 0) otherwise.
                var port = tried < span ? Lowest + ((start + tried) % span) : 0;
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ExclusiveAddressUse = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    socket.Dispose();
                    continue;
                }

                sockets.Add(socket);
                ports[i++] = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }

            return ports;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    // The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux); 32768, its usual value, elsewhere.
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
