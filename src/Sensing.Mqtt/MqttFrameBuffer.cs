using System.Buffers;

namespace Sensing.Mqtt;

/// <summary>
/// A reusable contiguous buffer into which <see cref="MqttFrameReader"/> copies a packet that spans several
/// pipe segments. Rented from <see cref="ArrayPool{T}"/> and grown on demand, so decoding allocates only when a
/// connection sees a larger packet than before. One per connection; not thread-safe.
/// </summary>
public sealed class MqttFrameBuffer : IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[] _array = [];

    /// <summary>Creates an empty buffer over <paramref name="pool"/> (default: the shared pool).</summary>
    public MqttFrameBuffer(ArrayPool<byte>? pool = null) => _pool = pool ?? ArrayPool<byte>.Shared;

    /// <summary>Current capacity in bytes.</summary>
    public int Capacity => _array.Length;

    /// <summary>A span of exactly <paramref name="length"/> bytes; its contents are overwritten by the next call.</summary>
    public Span<byte> GetSpan(int length)
    {
        if (_array.Length < length)
        {
            var old = _array;
            _array = _pool.Rent(length);
            if (old.Length > 0)
            {
                _pool.Return(old);
            }
        }

        return _array.AsSpan(0, length);
    }

    /// <summary>Returns the memory to the pool (e.g. after a rare large packet, or when the connection ends).</summary>
    public void Dispose()
    {
        var old = _array;
        _array = [];
        if (old.Length > 0)
        {
            _pool.Return(old);
        }
    }
}
