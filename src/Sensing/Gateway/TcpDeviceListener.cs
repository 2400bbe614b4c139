using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Sensing.Gateway;

/// <summary>
/// The gateway's plain MQTT endpoint (<see cref="GatewayOptions.Listen"/>): accepts device connections on its own
/// socket and hands each, as a <see cref="TcpDeviceConnection"/>, to the <see cref="MqttConnectionHandler"/>. The TLS
/// and WebSocket endpoints stay on Kestrel. Bound when the host starts (a port in use fails the start); on stop it
/// accepts no more and aborts the connections still open, as Kestrel did when its shutdown time was up.
/// </summary>
internal sealed class TcpDeviceListener(GatewayOptions options, MqttConnectionHandler handler, ILogger<TcpDeviceListener> logger) : IHostedService
{
    // Kestrel's default backlog, kept so both endpoints queue connection storms alike.
    private const int Backlog = 512;

    private readonly Lock _gate = new();
    private readonly HashSet<TcpDeviceConnection> _open = [];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task _accepting = Task.CompletedTask;
    private TaskCompletionSource? _allClosed;

    /// <summary>The bound address (the port chosen when <see cref="GatewayOptions.Listen"/> asked for port 0).</summary>
    public IPEndPoint? EndPoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endPoint = options.ListenEndPoint;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"gateway.listen: cannot listen on {endPoint}: {e.Message}", e);
        }

        _socket = socket;
        _accepting = AcceptLoopAsync(socket);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _socket?.Dispose();
        await _accepting;
        TcpDeviceConnection[] open;
        lock (_gate)
        {
            open = [.. _open];
            if (_open.Count != 0)
            {
                _allClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        foreach (var connection in open)
        {
            connection.Abort(new ConnectionAbortedException("the gateway is stopping"));
        }

        if (_allClosed is { } allClosed)
        {
            await allClosed.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        await Task.Yield();
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
                failures = 0;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of file descriptors or a connection reset while it was queued: the endpoint goes on.
                if (failures++ == 0)
                {
                    logger.LogWarning("gateway: accepting a device connection failed: {Error}", e.Message);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 10 * failures)), _stopping.Token)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        TcpDeviceConnection connection;
        try
        {
            connection = new TcpDeviceConnection(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset before it could be served.
            socket.Dispose();
            return;
        }

        lock (_gate)
        {
            _open.Add(connection);
        }

        try
        {
            await handler.OnConnectedAsync(connection);
        }
        catch (Exception e)
        {
            logger.LogError(e, "gateway: device connection {Connection} from {Remote} ended with an error", connection.ConnectionId, connection.RemoteEndPoint);
        }
        finally
        {
            await connection.DisposeAsync();
            TaskCompletionSource? allClosed = null;
            lock (_gate)
            {
                _open.Remove(connection);
                if (_open.Count == 0)
                {
                    allClosed = _allClosed;
                }
            }

            allClosed?.TrySetResult();
        }
    }
}
