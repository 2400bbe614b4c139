using System.Buffers;

namespace Sensing.Storage.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>. Not thread-safe.
/// <see cref="Detach"/> hands the filled array to a sender and starts over with a fresh one, so a batch is never
/// copied between filling and sending.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    // Smallest rent: below this, growing costs more than it saves.
    private const int MinimumCapacity = 256;

    private readonly int _initialCapacity;
    private byte[] _buffer = [];
    private int _written;

    public PooledBufferWriter(int initialCapacity) => _initialCapacity = Math.Max(initialCapacity, MinimumCapacity);

    /// <summary>Bytes written and not yet detached.</summary>
    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the span returned by GetSpan.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_written));
        _written += bytes.Length;
    }

    /// <summary>Takes the written bytes out (their array now belongs to the caller) and starts empty.</summary>
    public PooledBuffer Detach()
    {
        var detached = new PooledBuffer(_buffer, _written);
        _buffer = [];
        _written = 0;
        return detached;
    }

    public void Dispose() => Detach().Return();

    private void Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var capacity = Math.Max(needed, Math.Max(_initialCapacity, _buffer.Length * 2));
        var grown = ArrayPool<byte>.Shared.Rent(capacity);
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}

/// <summary>Bytes in a rented array; whoever holds it returns it exactly once.</summary>
internal readonly struct PooledBuffer(byte[] array, int length)
{
    public int Length => length;

    public ReadOnlyMemory<byte> Memory => array.AsMemory(0, length);

    public void Return()
    {
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
