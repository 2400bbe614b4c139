using System.Text.Json;

namespace Sensing.Core.Payloads;

/// <summary>
/// Reads a concentrator's payload, the readings of many devices in one PUBLISH, without allocating. Two forms:
/// <list type="bullet">
/// <item>JSON: an array of the JSON reading form, each object naming its device in <c>device</c>:
/// <c>[{"device":"gm-000001","seq":17,"ts":1732170000000,"flow":0.4},{"device":"gm-000002","seq":9,"flow":0}]</c>.</item>
/// <item>Binary, first byte <see cref="Marker"/> 0xB2, then items until the end of the payload, each
/// <code>
/// size   field
/// 1      L: length of the device id, 1..64
/// L      the device id (ASCII)
/// 14+5n  the device's binary reading (0xB1 ..., see <see cref="BinaryReadingDecoder"/>; n is its byte 13)
/// </code></item>
/// </list>
/// Items carry the device id rather than the registry's dense number: dense numbers are local to one registry
/// load and mean nothing to a device. Each item's reading span is a whole reading that
/// <see cref="DevicePayload.TryDecode"/> decodes as if the device had published it itself (JSON ignores the
/// <c>device</c> key like any key that names no metric).
/// </summary>
public ref struct ConcentratorBatch
{
    /// <summary>The first byte of a binary concentrator batch (0xB2 can never start JSON, like 0xB1).</summary>
    public const byte Marker = 0xB2;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4 };

    private readonly ReadOnlySpan<byte> _payload;
    private readonly bool _binary;
    private Utf8JsonReader _json;
    private int _offset;
    private int _items;
    private bool _done;

    /// <summary>Starts reading <paramref name="payload"/>.</summary>
    public ConcentratorBatch(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _binary = !payload.IsEmpty && payload[0] == Marker;
        _offset = _binary ? 1 : 0;
        _json = new Utf8JsonReader(_binary ? default : payload, ReaderOptions);
    }

    /// <summary>Why reading stopped before the end of the payload; <see cref="PayloadError.None"/> when it did not.</summary>
    public PayloadError Error { get; private set; }

    // The shortest binary item: id length, a 1-byte id, a reading header with no metric (split here, refused by the
    // reading decoder as NoMetrics).
    private const int MinBinaryItem = 2 + BinaryReadingDecoder.HeaderLength;

    /// <summary>
    /// An upper bound of the items in <paramref name="payload"/> found without parsing it (every JSON item opens with
    /// '{'; every binary item takes at least 16 bytes), to size a buffer before the one pass that reads them.
    /// </summary>
    public static int MaxItems(ReadOnlySpan<byte> payload) =>
        !payload.IsEmpty && payload[0] == Marker ? (payload.Length - 1) / MinBinaryItem : payload.Count((byte)'{');

    /// <summary>
    /// Counts the items of <paramref name="payload"/>, checking the whole envelope; false with the reason when it is
    /// malformed anywhere (then no item should be taken from it).
    /// </summary>
    public static bool TryCount(ReadOnlySpan<byte> payload, out int count, out PayloadError error)
    {
        var batch = new ConcentratorBatch(payload);
        count = 0;
        while (batch.TryRead(out _, out _))
        {
            count++;
        }

        error = batch.Error;
        return error == PayloadError.None;
    }

    /// <summary>
    /// The next item: the device id it names (empty when it names none or an invalid one) and its reading. False at
    /// the end of the batch, or when the envelope is malformed (<see cref="Error"/> says why).
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> deviceId, out ReadOnlySpan<byte> reading)
    {
        deviceId = default;
        reading = default;
        if (_done)
        {
            return false;
        }

        var ok = _binary ? TryReadBinary(out deviceId, out reading) : TryReadJson(out deviceId, out reading);
        if (!ok)
        {
            _done = true;
            if (Error == PayloadError.None && _items == 0)
            {
                Error = PayloadError.EmptyBatch;
            }

            return false;
        }

        _items++;
        if (!Devices.DeviceInfo.IsValidId(deviceId))
        {
            deviceId = default;
        }

        return true;
    }

    private bool TryReadBinary(out ReadOnlySpan<byte> deviceId, out ReadOnlySpan<byte> reading)
    {
        deviceId = default;
        reading = default;
        var rest = _payload[_offset..];
        if (rest.IsEmpty)
        {
            return false;
        }

        int idLength = rest[0];
        // The id, then at least the reading's header up to its metric count (byte 13).
        if (idLength == 0 || rest.Length < 1 + idLength + BinaryReadingDecoder.HeaderLength)
        {
            return Fail(PayloadError.BinaryTruncated);
        }

        var item = rest[(1 + idLength)..];
        if (item[0] != BinaryReadingDecoder.Marker)
        {
            return Fail(PayloadError.NotABatch);
        }

        var length = BinaryReadingDecoder.HeaderLength + (item[13] * BinaryReadingDecoder.MetricLength);
        if (item.Length < length)
        {
            return Fail(PayloadError.BinaryTruncated);
        }

        deviceId = rest.Slice(1, idLength);
        reading = item[..length];
        _offset += 1 + idLength + length;
        return true;
    }

    private bool TryReadJson(out ReadOnlySpan<byte> deviceId, out ReadOnlySpan<byte> reading)
    {
        deviceId = default;
        reading = default;
        try
        {
            if (_items == 0)
            {
                if (_payload.IsEmpty || !_json.Read() || _json.TokenType != JsonTokenType.StartArray)
                {
                    return Fail(PayloadError.NotABatch);
                }
            }

            if (!_json.Read())
            {
                return Fail(PayloadError.MalformedJson);
            }

            if (_json.TokenType == JsonTokenType.EndArray)
            {
                return _json.Read() ? Fail(PayloadError.MalformedJson) : false;
            }

            if (_json.TokenType != JsonTokenType.StartObject)
            {
                return Fail(PayloadError.NotABatch);
            }

            var start = (int)_json.TokenStartIndex;
            while (_json.Read() && _json.TokenType == JsonTokenType.PropertyName)
            {
                var isDevice = _json.ValueTextEquals("device"u8);
                _json.Read();
                if (isDevice && _json.TokenType == JsonTokenType.String && !_json.ValueIsEscaped && deviceId.IsEmpty)
                {
                    deviceId = _json.ValueSpan;
                }
                else if (_json.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    // Nesting is the reading decoder's to refuse (UnexpectedNesting); here it is only stepped over.
                    _json.Skip();
                }
            }

            if (_json.TokenType != JsonTokenType.EndObject)
            {
                return Fail(PayloadError.MalformedJson);
            }

            reading = _payload[start..(int)_json.BytesConsumed];
            return true;
        }
        catch (JsonException)
        {
            return Fail(PayloadError.MalformedJson);
        }
    }

    private bool Fail(PayloadError error)
    {
        Error = error;
        return false;
    }
}
