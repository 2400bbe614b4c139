namespace Sensing.Mqtt;

/// <summary>One 5.0 property (5.0 section 2.2.2.2): its identifier and its value, a view over the packet.</summary>
public readonly ref struct MqttProperty
{
    internal MqttProperty(MqttPropertyId id, uint integer, ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> pairValue)
    {
        Id = id;
        Integer = integer;
        Bytes = bytes;
        PairValue = pairValue;
    }

    /// <summary>The property identifier.</summary>
    public MqttPropertyId Id { get; }

    /// <summary>The value of a Byte, Two Byte, Four Byte or Variable Byte Integer property; 0 otherwise.</summary>
    public uint Integer { get; }

    /// <summary>The bytes of a UTF-8 string or Binary Data property (no length prefix); for a user property, its name.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>For a user property (a UTF-8 string pair, 5.0 section 1.5.7), its value; empty otherwise.</summary>
    public ReadOnlySpan<byte> PairValue { get; }
}

/// <summary>Enumerates the properties of a validated property block without allocating.</summary>
public ref struct MqttPropertyEnumerator
{
    private readonly ReadOnlySpan<byte> _block;
    private int _position;

    internal MqttPropertyEnumerator(ReadOnlySpan<byte> block)
    {
        _block = block;
        _position = 0;
        Current = default;
    }

    /// <summary>The property at the current position.</summary>
    public MqttProperty Current { get; private set; }

    /// <summary>Moves to the next property; false at the end.</summary>
    public bool MoveNext()
    {
        var reader = new Internal.MqttSpanReader(_block[_position..]);
        if (reader.IsAtEnd || MqttProperties.ReadOne(ref reader, Internal.MqttPropertyContext.All, out var property) != MqttDecodeError.None)
        {
            Current = default;
            _position = _block.Length;
            return false;
        }

        _position = _block.Length - reader.Remaining;
        Current = property;
        return true;
    }
}
