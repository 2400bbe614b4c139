using System.Buffers;

namespace Sensing.Processor;

/// <summary>
/// One batch's line-protocol text, sealed on the consume thread and handed to the store on another: a copy in a
/// buffer from the shared pool, returned once the store has it.
/// </summary>
internal readonly struct EncodedLines
{
    private readonly byte[]? _buffer;

    private EncodedLines(byte[]? buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>Bytes of lines held.</summary>
    public int Length { get; }

    /// <summary>The lines, each ending in a newline.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>A pooled copy of <paramref name="lines"/> (nothing is rented for none).</summary>
    public static EncodedLines CopyOf(ReadOnlySpan<byte> lines)
    {
        if (lines.IsEmpty)
        {
            return default;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(lines.Length);
        lines.CopyTo(buffer);
        return new EncodedLines(buffer, lines.Length);
    }

    /// <summary>Gives the buffer back to the pool; the lines must not be read afterwards.</summary>
    public void Return()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
