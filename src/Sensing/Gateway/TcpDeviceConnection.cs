using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Sensing.Gateway;

/// <summary>
/// A device's plain TCP connection, served by <see cref="TcpDeviceListener"/> instead of Kestrel's socket transport,
/// because most of what an idle device connection kept alive was that transport's: two pipes with their segments, a
/// socket connection with its receive and send operations and their state machines, Kestrel's connection and feature
/// objects (bench/README.md, "Our own socket transport"). Here a connection is the socket, this object and its reader
/// and writer. The reader waits for data with a zero-byte receive and rents a buffer only when bytes arrive; it gives
/// the buffer back as soon as every byte is consumed, so an idle connection holds none. The writer rents one buffer
/// per flush and gives it back once it is sent.
/// </summary>
/// <remarks>
/// <para>
/// Made for <see cref="MqttConnection"/>'s use of a pipe, which is narrower than a pipe's contract: one read loop, one
/// writer at a time, and <see cref="PipeReader.CancelPendingRead"/> only to end the connection. So a cancelled read
/// cancels the pending receive and every later read is cancelled too.
/// </para>
/// <para>
/// A connection the gateway ends (a malformed packet, a refused CONNECT, a keep-alive timeout) closes lingering, as
/// HTTP servers do (RFC 9112 9.6): the end of the stream (FIN) goes after the last answer, then what the device still
/// sends is read and dropped until it closes too, for at most <see cref="LingerTimeout"/>. Closing a socket with
/// unread bytes makes the kernel send a reset, which can overtake the answer and the FIN; a client then sees a reset
/// where the specification says the server closes the connection. <see cref="Abort"/> does not linger.
/// </para>
/// </remarks>
internal sealed class TcpDeviceConnection : ConnectionContext, IDuplexPipe
{
    private const int BufferSize = 4096;

    /// <summary>How long a closing connection waits for the device to close its side; then the socket closes anyway.</summary>
    internal static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(2);

    // Where the bytes a closing connection drops go: shared, since nobody reads them.
    private static readonly byte[] Dropped = new byte[BufferSize];
    private static long _lastId;

    private readonly Socket _socket;
    private readonly Reader _reader;
    private readonly Writer _writer;
    private readonly long _id = Interlocked.Increment(ref _lastId);
    private CancellationTokenSource? _closedSource;
    private IFeatureCollection? _features;
    private IDictionary<object, object?>? _items;
    private string? _connectionId;
    private EndPoint? _localEndPoint;
    private int _closed;
    private int _aborted;
    private int _disposed;

    public TcpDeviceConnection(Socket socket)
    {
        _socket = socket;
        _reader = new Reader(this);
        _writer = new Writer(this);
        RemoteEndPoint = socket.RemoteEndPoint;
    }

    /// <inheritdoc />
    /// <remarks>Asked of the socket on first use: the gateway itself never asks.</remarks>
    public override EndPoint? LocalEndPoint
    {
        get
        {
            try
            {
                return _localEndPoint ??= _socket.LocalEndPoint;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
        }

        set => _localEndPoint = value;
    }

    /// <inheritdoc />
    public override string ConnectionId
    {
        get => _connectionId ??= "tcp-" + _id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        set => _connectionId = value;
    }

    /// <inheritdoc />
    public override IFeatureCollection Features => _features ??= new FeatureCollection();

    /// <inheritdoc />
    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    /// <inheritdoc />
    public override IDuplexPipe Transport
    {
        get => this;
        set => throw new NotSupportedException("a device connection's transport is its socket");
    }

    /// <summary>The bytes from the device.</summary>
    public PipeReader Input => _reader;

    /// <summary>The bytes to the device.</summary>
    public PipeWriter Output => _writer;

    /// <summary>Cancelled when the device closed or reset the connection, or it was aborted. Made on first use.</summary>
    public override CancellationToken ConnectionClosed
    {
        get
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                return new CancellationToken(canceled: true);
            }

            var source = Volatile.Read(ref _closedSource);
            if (source is null)
            {
                var made = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref _closedSource, made, null) ?? made;
                if (!ReferenceEquals(source, made))
                {
                    made.Dispose();
                }
                else if (Volatile.Read(ref _closed) != 0)
                {
                    // Closed while the source was made: nobody else will cancel it.
                    made.Cancel();
                }
            }

            return source.Token;
        }

        set => throw new NotSupportedException("the closed token is the connection's own");
    }

    /// <summary>Closes the socket at once (what is not yet sent is lost); pending reads and writes end.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        Volatile.Write(ref _aborted, 1);
        MarkClosed();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed.
        }

        _socket.Dispose();
    }

    /// <summary>
    /// Closes the socket, lingering unless aborted or the device closed first, and gives back the buffers; the
    /// connection's handler has returned.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        MarkClosed();
        _reader.Release();
        _writer.Release();
        if (Volatile.Read(ref _aborted) == 0 && !_reader.Ended)
        {
            await LingerAsync();
        }

        _socket.Dispose();
        _reader.Dispose();
        _closedSource?.Dispose();
    }

    // The device's bytes after the gateway's last answer are dropped until the device closes (or resets, or the time
    // is up), so the socket closes with nothing unread and the kernel sends a FIN, not a reset.
    private async ValueTask LingerAsync()
    {
        try
        {
            // Already done when the writer completed; once more for a handler that ended without writing.
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Not connected any more: the receive below ends at once.
        }

        try
        {
            using var timeout = new CancellationTokenSource(LingerTimeout);
            while (await _socket.ReceiveAsync(Dropped, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset, aborted meanwhile, or the device kept the connection open: the socket closes now.
        }
    }

    private void MarkClosed()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            try
            {
                Volatile.Read(ref _closedSource)?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed with the connection.
            }
        }
    }

    private static bool IsEnd(SocketException e) => e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted
        or SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown or SocketError.NotConnected
        or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkReset or SocketError.NetworkDown;

    /// <summary>The receive side: one buffer, rented while it holds unconsumed bytes.</summary>
    private sealed class Reader(TcpDeviceConnection connection) : PipeReader
    {
        private byte[]? _buffer;
        private int _start;
        private int _end;
        private bool _examinedAll = true;
        private readonly CancellationTokenSource _wake = new();
        private bool _ended;
        private int _cancelled;

        /// <summary>The device closed its side (a receive returned 0) or reset the connection.</summary>
        public bool Ended => _ended;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (TryRead(out var result))
            {
                return new ValueTask<ReadResult>(result);
            }

            return ReceiveAsync();
        }

        public override bool TryRead(out ReadResult result)
        {
            if (Volatile.Read(ref _cancelled) != 0)
            {
                result = new ReadResult(default, isCanceled: true, isCompleted: false);
                return true;
            }

            if ((_end > _start && !_examinedAll) || _ended)
            {
                result = Current();
                return true;
            }

            result = default;
            return false;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            if (_buffer is null || consumed.GetObject() is null)
            {
                return;
            }

            _start = consumed.GetInteger();
            _examinedAll = examined.GetInteger() >= _end;
            if (_start == _end)
            {
                // Every byte handled: an idle connection holds no buffer.
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
                _start = _end = 0;
                _examinedAll = true;
            }
        }

        /// <summary>Ends reading: a pending read and every later one return cancelled. The connection then closes.</summary>
        public override void CancelPendingRead()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                try
                {
                    // Wakes a receive waiting for data; the socket stays open, to close lingering.
                    _wake.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The connection is disposed: no receive waits.
                }
            }
        }

        public override void Complete(Exception? exception = null)
        {
            // Nothing to tell the device: the connection ends when its handler returns.
        }

        /// <summary>Frees what wakes a pending receive (the socket is closed).</summary>
        public void Dispose() => _wake.Dispose();

        /// <summary>Gives the buffer back (the connection is disposed; no read runs).</summary>
        public void Release()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private ReadResult Current() => new(
            _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start),
            isCanceled: false, isCompleted: _ended);

        private async ValueTask<ReadResult> ReceiveAsync()
        {
            var socket = connection._socket;
            try
            {
                if (_buffer is null)
                {
                    // Wait for the device's next bytes without holding a buffer.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _wake.Token);
                    if (Volatile.Read(ref _cancelled) != 0)
                    {
                        return new ReadResult(default, isCanceled: true, isCompleted: false);
                    }

                    _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                    _start = _end = 0;
                }
                else if (_end == _buffer.Length)
                {
                    MakeRoom();
                }

                var received = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, _wake.Token);
                if (Volatile.Read(ref _cancelled) != 0)
                {
                    return new ReadResult(default, isCanceled: true, isCompleted: false);
                }

                if (received == 0)
                {
                    _ended = true;
                    connection.MarkClosed();
                }

                _end += received;
                _examinedAll = false;
                return Current();
            }
            catch (OperationCanceledException)
            {
                // CancelPendingRead woke the receive.
                return new ReadResult(default, isCanceled: true, isCompleted: false);
            }
            catch (SocketException e) when (IsEnd(e))
            {
                _ended = true;
                connection.MarkClosed();
                if (Volatile.Read(ref _cancelled) != 0)
                {
                    return new ReadResult(default, isCanceled: true, isCompleted: false);
                }

                throw new ConnectionResetException(e.Message, e);
            }
            catch (ObjectDisposedException e)
            {
                // Aborted while the receive waited.
                connection.MarkClosed();
                throw new ConnectionResetException("the connection was aborted", e);
            }
        }

        // A packet longer than what the buffer holds: move the unconsumed bytes to the front, or into a larger buffer.
        private void MakeRoom()
        {
            var buffer = _buffer!;
            var length = _end - _start;
            if (_start > 0)
            {
                Buffer.BlockCopy(buffer, _start, buffer, 0, length);
            }
            else
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                Buffer.BlockCopy(buffer, 0, larger, 0, length);
                ArrayPool<byte>.Shared.Return(buffer);
                _buffer = larger;
            }

            _start = 0;
            _end = length;
        }
    }

    /// <summary>The send side: bytes written go to one rented buffer, sent and given back on flush.</summary>
    private sealed class Writer(TcpDeviceConnection connection) : PipeWriter
    {
        private byte[]? _buffer;
        private int _written;
        private bool _failed;

        public override void Advance(int bytes) => _written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => Room(sizeHint).AsMemory(_written);

        public override Span<byte> GetSpan(int sizeHint = 0) => Room(sizeHint).AsSpan(_written);

        public override void CancelPendingFlush()
        {
            // Flushes are not cancelled: the writer ends with the connection.
        }

        /// <summary>Sends what was written; completed (<see cref="FlushResult.IsCompleted"/>) once the socket failed.</summary>
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_written == 0 || _failed)
            {
                Drop();
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _failed));
            }

            return SendAsync();
        }

        /// <summary>No more bytes for the device: what was sent is followed by the end of the stream (FIN).</summary>
        public override void Complete(Exception? exception = null)
        {
            Drop();
            try
            {
                connection._socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already reset or closed.
            }
        }

        /// <summary>Gives the buffer back (the connection is disposed; no write runs).</summary>
        public void Release() => Drop();

        private byte[] Room(int sizeHint)
        {
            var needed = _written + Math.Max(sizeHint, 1);
            if (_buffer is null)
            {
                _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, BufferSize));
            }
            else if (needed > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
                Buffer.BlockCopy(_buffer, 0, larger, 0, _written);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            return _buffer;
        }

        private void Drop()
        {
            _written = 0;
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async ValueTask<FlushResult> SendAsync()
        {
            try
            {
                var sent = 0;
                while (sent < _written)
                {
                    sent += await connection._socket.SendAsync(_buffer.AsMemory(sent, _written - sent), SocketFlags.None);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The device is gone or the connection was aborted: what is left cannot be sent.
                _failed = true;
                connection.MarkClosed();
            }

            Drop();
            return new FlushResult(isCanceled: false, isCompleted: _failed);
        }
    }
}
