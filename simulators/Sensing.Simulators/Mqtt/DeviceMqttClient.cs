using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// A small asynchronous MQTT 3.1.1 / 5.0 client for one simulated device, on the project's codec over a raw
/// <see cref="Socket"/> and System.IO.Pipelines. Many QoS 1/2 publishes may be in flight; each returned
/// <see cref="ValueTask"/> completes when its PUBACK (QoS 1) or PUBCOMP (QoS 2) arrives and recycles its state, so a
/// publish allocates nothing: await each one exactly once (or call <c>AsTask()</c>). Downlink messages arrive through
/// <see cref="MessageReceived"/>; keep-alive PINGREQs are automatic. One instance is one connection: when
/// <see cref="Closed"/> fires, every pending operation has faulted with <see cref="MqttClientException"/>; create a new
/// client to reconnect.
/// </summary>
public sealed partial class DeviceMqttClient : IAsyncDisposable
{
    // Linux IP_BIND_ADDRESS_NO_PORT (level SOL_IP = 0, option 24): with a bind to a chosen source address, defer the
    // ephemeral port choice to connect(), so the same port can serve different destinations.
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    // How long a closing connection may take to flush its last packets (a DISCONNECT) before the socket is dropped.
    private static readonly TimeSpan FlushOnCloseTimeout = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _closed = new();
    private DeviceMqttConnectOptions _options = DeviceMqttConnectOptions.Default;
    private MqttProtocolVersion _version;
    private Socket? _socket;
    private NetworkStream? _stream;
    private TaskCompletionSource? _connAck;
    private Task _receiveLoop = Task.CompletedTask;
    private Task? _closeTask;
    private int _started;
    private int _closing;
    private volatile bool _connected;
    private MqttClientException? _closeException;

    /// <summary>A downlink PUBLISH arrived (see <see cref="DeviceMqttMessageHandler"/>).</summary>
    public event DeviceMqttMessageHandler? MessageReceived;

    /// <summary>The connection ended, for whatever reason; raised once, after the socket is closed.</summary>
    public event EventHandler<DeviceMqttClosedEventArgs>? Closed;

    /// <summary>True between an accepting CONNACK and the end of the connection.</summary>
    public bool IsConnected => _connected;

    /// <summary>The protocol version of the connection.</summary>
    public MqttProtocolVersion Version => _version;

    /// <summary>Session Present from CONNACK.</summary>
    public bool SessionPresent { get; private set; }

    /// <summary>Why the connection ended; <see cref="DeviceMqttCloseReason.None"/> while it is open.</summary>
    public DeviceMqttCloseReason CloseReason => _closeException?.Reason ?? DeviceMqttCloseReason.None;

    /// <summary>
    /// Opens the TCP connection (from <see cref="DeviceMqttConnectOptions.LocalAddress"/> when set), sends CONNECT and
    /// completes on an accepting CONNACK. Throws <see cref="MqttClientException"/> when refused (with the reason code)
    /// or when no CONNACK comes in time, and <see cref="SocketException"/> when TCP connect fails.
    /// </summary>
    public async Task ConnectAsync(DeviceMqttConnectOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Version is not (MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Version is 3.1.1 or 5.0");
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a DeviceMqttClient connects once; create a new one to reconnect");
        }

        _options = options;
        _version = options.Version;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            var endpoint = await ResolveAsync(options, timeout.Token).ConfigureAwait(false);
            _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (options.LocalAddress is { } local)
            {
                if (OperatingSystem.IsLinux() && local.AddressFamily == AddressFamily.InterNetwork)
                {
                    _socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                }

                _socket.Bind(new IPEndPoint(local, 0));
            }

            await _socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            _stream = new NetworkStream(_socket, ownsSocket: false);
            _connAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            StartSending();
            WriteConnect(options);
            _receiveLoop = ReceiveLoopAsync(PipeReader.Create(
                _stream, new StreamPipeReaderOptions(bufferSize: options.ReceiveBufferSize, minimumReadSize: options.ReceiveBufferSize / 4, leaveOpen: true, useZeroByteReads: true)));
            await _connAck.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Close(DeviceMqttCloseReason.ConnectTimeout, MqttReasonCode.Success, null, notifyServer: false);
            throw _closeException!;
        }
        catch (Exception e) when (e is not MqttClientException)
        {
            Close(DeviceMqttCloseReason.ConnectionLost, MqttReasonCode.Success, e, notifyServer: false);
            throw;
        }
    }

    /// <summary>Sends DISCONNECT (normal disconnection), flushes, closes the socket and waits until <see cref="Closed"/> has fired.</summary>
    public Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _started) == 0)
        {
            // Never connected: nothing to close, and no Closed event.
            Volatile.Write(ref _closing, 1);
            return Task.CompletedTask;
        }

        Close(DeviceMqttCloseReason.ClientDisconnected, MqttReasonCode.NormalDisconnection, null, notifyServer: _connected);
        return _closeTask is { } task ? task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(DisconnectAsync());

    private static async ValueTask<IPEndPoint> ResolveAsync(DeviceMqttConnectOptions options, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(options.Host, out var address))
        {
            return new IPEndPoint(address, options.Port);
        }

        var family = options.LocalAddress?.AddressFamily;
        var addresses = await Dns.GetHostAddressesAsync(options.Host, cancellationToken).ConfigureAwait(false);
        foreach (var candidate in addresses)
        {
            if (family is null || candidate.AddressFamily == family)
            {
                return new IPEndPoint(candidate, options.Port);
            }
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Ends the connection once: optionally tells a 5.0 server why (DISCONNECT with <paramref name="code"/>), fails
    /// every pending operation, and lets the send loop flush before the socket is dropped and <see cref="Closed"/> fires.
    /// </summary>
    private void Close(DeviceMqttCloseReason reason, MqttReasonCode code, Exception? error, bool notifyServer)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        var wasConnected = _connected;
        _connected = false;
        var exception = new MqttClientException(Describe(reason, code, error), reason, code, error);
        _closeException = exception;
        StopKeepAlive();

        // 5.0 section 3.14: the client may send DISCONNECT with a reason code before closing; 3.1.1 only on a normal
        // disconnect (3.1.1 section 3.14 has no reason code).
        var sendDisconnect = notifyServer && wasConnected && (_version == MqttProtocolVersion.V500 || reason == DeviceMqttCloseReason.ClientDisconnected);
        StopSending(sendDisconnect ? code : null, exception);
        _connAck?.TrySetException(exception);
        FailPending(exception);
        _closed.Cancel();
        _closeTask = FinishCloseAsync(new DeviceMqttClosedEventArgs(reason, code, error));
    }

    private async Task FinishCloseAsync(DeviceMqttClosedEventArgs args)
    {
        try
        {
            await _sendLoop.WaitAsync(FlushOnCloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The peer does not read; drop the socket anyway.
        }

        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer.
        }

        _socket?.Dispose();
        _stream?.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        Closed?.Invoke(this, args);
    }

    private static string Describe(DeviceMqttCloseReason reason, MqttReasonCode code, Exception? error) => reason switch
    {
        DeviceMqttCloseReason.ConnectRefused => $"the server refused the connection: {code} (0x{(byte)code:X2})",
        DeviceMqttCloseReason.ServerDisconnected => $"the server sent DISCONNECT: {code} (0x{(byte)code:X2})",
        DeviceMqttCloseReason.ProtocolError => $"protocol error from the server: {code} (0x{(byte)code:X2})",
        DeviceMqttCloseReason.ConnectTimeout => "no CONNACK within the connect timeout",
        DeviceMqttCloseReason.KeepAliveTimeout => "no PINGRESP within the keep-alive period",
        DeviceMqttCloseReason.ClientDisconnected => "the client disconnected",
        DeviceMqttCloseReason.HandlerFailed => "a MessageReceived handler threw: " + error?.Message,
        DeviceMqttCloseReason.RequestTimeout => "no SUBACK or UNSUBACK within the request timeout",
        _ => "the connection was lost" + (error is null ? "" : ": " + error.Message),
    };
}
