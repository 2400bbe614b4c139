using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.Simulators.Load;

/// <summary>
/// One lean MQTT 3.1.1 device connection for load: a raw non-blocking socket, PUBLISH packets encoded by the pacer
/// thread straight into one send buffer (all messages due in a tick go out in one send), a receive loop that matches
/// each PUBACK to its send time. Packet identifiers 1..window come from a free-id stack, so a late PUBACK never
/// collides with a reused identifier.
/// </summary>
internal sealed class LoadConnection
{
    // Linux IP_BIND_ADDRESS_NO_PORT (level SOL_IP = 0, option 24): the ephemeral port is chosen at connect(), per
    // destination, instead of at bind().
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    // Most messages encoded per call: bounds the send buffer and the stack space for identifiers.
    private const int MaxPerCall = 256;
    private const int ReceiveBufferSize = 2048;

    private readonly LatencyHistogram _latency;
    private readonly MqttQoS _qos;
    private readonly byte[] _topic;
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly Lock _idLock = new();
    private readonly TaskCompletionSource _connAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ushort[] _freeIds;
    private readonly long[] _sentAt;
    private readonly byte[][]? _batchDevices;
    private readonly byte[] _payload;
    private Socket? _socket;
    private Task _receiveLoop = Task.CompletedTask;
    private int _freeCount;
    private int _outSent;
    private long _sent;
    private long _acked;
    private ulong _sequence;
    private volatile bool _closed;
    private bool _closing;

    public LoadConnection(string deviceId, MqttQoS qos, int window, LatencyHistogram latency, string[]? batchDevices = null)
    {
        _latency = latency;
        _batchDevices = batchDevices?.Select(Encoding.ASCII.GetBytes).ToArray();
        // A reading is at most ~60 bytes besides its device id: {"device":"..","seq":20 digits,"ts":13 digits,"lel":1.5}.
        _payload = new byte[_batchDevices is null ? 96 : 2 + _batchDevices.Sum(d => d.Length + 80)];
        _qos = qos;
        _topic = Encoding.UTF8.GetBytes($"sensing/{deviceId}/up");
        var slots = qos == MqttQoS.AtMostOnce ? 0 : window;
        _freeIds = new ushort[slots];
        _sentAt = new long[slots];
        for (var i = 0; i < slots; i++)
        {
            _freeIds[i] = (ushort)(slots - i);
        }

        _freeCount = slots;
    }

    /// <summary>PUBLISH packets handed to the socket (written by the pacer thread only).</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>PUBACKs received (written by the receive loop only).</summary>
    public long Acknowledged => Volatile.Read(ref _acked);

    /// <summary>True once the connection ended, whoever ended it.</summary>
    public bool IsClosed => _closed;

    /// <summary>True when it ended without <see cref="Disconnect"/>.</summary>
    public bool WasLost => _closed && !_closing;

    public async Task ConnectAsync(IPEndPoint target, IPAddress? local, string deviceId, string? password, ushort keepAliveSeconds, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        _socket = socket;
        if (local is not null)
        {
            if (OperatingSystem.IsLinux() && local.AddressFamily == AddressFamily.InterNetwork)
            {
                socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(local, 0));
        }

        await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        var id = Encoding.UTF8.GetBytes(deviceId);
        MqttPacketWriter.WriteConnect(_out, new MqttConnectRequest
        {
            Version = MqttProtocolVersion.V311,
            ClientId = id,
            UserName = id,
            Password = password is null ? default : Encoding.UTF8.GetBytes(password),
            CleanStart = true,
            KeepAliveSeconds = keepAliveSeconds,
        });
        _receiveLoop = ReceiveLoopAsync(socket);
        if (!Flush())
        {
            throw new IOException("CONNECT could not be sent");
        }

        await _connAck.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes up to <paramref name="due"/> messages (fewer when the window or the socket is full) stamped with
    /// <paramref name="now"/> (Stopwatch ticks); returns how many went out. Called by the pacer thread only.
    /// </summary>
    public int Publish(long due, long now, long unixMs)
    {
        if (_closed || !Flush())
        {
            return 0;
        }

        var count = (int)Math.Min(due, MaxPerCall);
        Span<ushort> ids = stackalloc ushort[MaxPerCall];
        if (_qos != MqttQoS.AtMostOnce)
        {
            lock (_idLock)
            {
                count = Math.Min(count, _freeCount);
                for (var i = 0; i < count; i++)
                {
                    var id = _freeIds[--_freeCount];
                    _sentAt[id - 1] = now;
                    ids[i] = id;
                }
            }
        }

        var payload = _payload.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var length = _batchDevices is null ? WriteReading(payload, ++_sequence, unixMs) : WriteBatch(payload, _batchDevices, ++_sequence, unixMs);
            MqttPacketWriter.WritePublish(_out, MqttProtocolVersion.V311, _topic, payload[..length], _qos, _qos == MqttQoS.AtMostOnce ? (ushort)0 : ids[i]);
        }

        Volatile.Write(ref _sent, _sent + count);
        Flush();
        return count;
    }

    /// <summary>Sends DISCONNECT and closes.</summary>
    public async Task DisconnectAsync()
    {
        _closing = true;
        if (!_closed && _socket is { } socket)
        {
            try
            {
                // DISCONNECT: fixed header 0xE0, remaining length 0 (3.1.1 section 3.14).
                socket.Send([0xE0, 0x00], SocketFlags.None, out _);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _socket?.Dispose();
        _closed = true;
    }

    /// <summary>A methane reading the gateway decodes: <c>{"seq":N,"ts":MS,"lel":1.5}</c>.</summary>
    private static int WriteReading(Span<byte> buffer, ulong sequence, long unixMs)
    {
        var n = 0;
        "{\"seq\":"u8.CopyTo(buffer);
        n += 7;
        Utf8Formatter.TryFormat(sequence, buffer[n..], out var written);
        n += written;
        ",\"ts\":"u8.CopyTo(buffer[n..]);
        n += 6;
        Utf8Formatter.TryFormat(unixMs, buffer[n..], out written);
        n += written;
        ",\"lel\":1.5}"u8.CopyTo(buffer[n..]);
        return n + 11;
    }

    /// <summary>A concentrator's JSON batch: one methane reading per device, <c>[{"device":"ID","seq":N,...},...]</c>.</summary>
    private static int WriteBatch(Span<byte> buffer, byte[][] devices, ulong sequence, long unixMs)
    {
        buffer[0] = (byte)'[';
        var n = 1;
        foreach (var device in devices)
        {
            "{\"device\":\""u8.CopyTo(buffer[n..]);
            n += 11;
            device.CopyTo(buffer[n..]);
            n += device.Length;
            buffer[n++] = (byte)'"';
            // The reading follows, its opening '{' turned into the ',' after the device.
            var length = WriteReading(buffer[n..], sequence, unixMs);
            buffer[n] = (byte)',';
            n += length;
            buffer[n++] = (byte)',';
        }

        buffer[n - 1] = (byte)']';
        return n;
    }

    /// <summary>Sends what is buffered; false while some of it is still waiting for socket space.</summary>
    private bool Flush()
    {
        var socket = _socket!;
        while (_outSent < _out.WrittenCount)
        {
            int n;
            SocketError error;
            try
            {
                n = socket.Send(_out.WrittenSpan[_outSent..], SocketFlags.None, out error);
            }
            catch (ObjectDisposedException)
            {
                _closed = true;
                return false;
            }

            if (error == SocketError.WouldBlock)
            {
                return false;
            }

            if (error != SocketError.Success)
            {
                _closed = true;
                return false;
            }

            _outSent += n;
        }

        _out.ResetWrittenCount();
        _outSent = 0;
        return true;
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        var buffer = new byte[ReceiveBufferSize];
        using var reassembly = new MqttFrameBuffer();
        var filled = 0;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                filled += n;
                var consumed = Process(new ReadOnlySequence<byte>(buffer, 0, filled), reassembly);
                if (consumed < 0)
                {
                    return;
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection ended.
        }
        finally
        {
            _closed = true;
            _connAck.TrySetException(new IOException("the connection ended before CONNACK"));
        }
    }

    /// <summary>Handles every complete packet; returns the bytes consumed, or -1 when the connection must end.</summary>
    private int Process(ReadOnlySequence<byte> buffer, MqttFrameBuffer reassembly)
    {
        var consumed = 0;
        while (true)
        {
            var rest = buffer.Slice(consumed);
            var status = MqttFrameReader.TryRead(rest, ReceiveBufferSize, reassembly, out var frame, out var end, out _);
            if (status == MqttFrameStatus.Incomplete)
            {
                return consumed;
            }

            if (status != MqttFrameStatus.Complete)
            {
                return -1;
            }

            consumed += (int)rest.Slice(0, end).Length;
            switch (frame.Type)
            {
                case MqttPacketType.ConnAck:
                    if (!MqttConnAck.TryDecode(frame, MqttProtocolVersion.V311, out var connAck, out _) || !connAck.IsAccepted)
                    {
                        _connAck.TrySetException(new IOException($"CONNACK refused: {connAck.ReasonCode}"));
                        return -1;
                    }

                    _connAck.TrySetResult();
                    break;
                case MqttPacketType.PubAck:
                    if (MqttPublishAck.TryDecode(frame, MqttProtocolVersion.V311, out var ack, out _))
                    {
                        Acknowledge(ack.PacketId);
                    }

                    break;
                case MqttPacketType.Disconnect:
                    return -1;
                default:
                    break;
            }
        }
    }

    private void Acknowledge(ushort id)
    {
        long sentAt;
        lock (_idLock)
        {
            var index = id - 1;
            if ((uint)index >= (uint)_sentAt.Length || _sentAt[index] == 0)
            {
                return;
            }

            sentAt = _sentAt[index];
            _sentAt[index] = 0;
            _freeIds[_freeCount++] = id;
        }

        _latency.Record((Stopwatch.GetTimestamp() - sentAt) * 1_000_000 / Stopwatch.Frequency);
        Volatile.Write(ref _acked, _acked + 1);
    }
}
