using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Storage.Aggregation;

/// <content>Writing a device's minute as one <c>sensing_agg_1m</c> point.</content>
public sealed partial class MinuteAggregator
{
    /// <summary>The measurement name of the aggregates.</summary>
    public static ReadOnlySpan<byte> Measurement => "sensing_agg_1m"u8;

    // "<metric>_min" .. "<metric>_count" for every metric code, encoded once.
    private static readonly byte[][][] FieldNames = BuildFieldNames();

    private void WriteOpen(int number, LineProtocolWriter output)
    {
        Write(number, _open, number, _minute[number], _minuteSequence[number], output);
        _open.Clear(number);
        _minute[number] = NoMinute;
        _openDevices--;
    }

    private void WriteHeld(int number, LineProtocolWriter output)
    {
        var block = _heldBlock[number];
        Write(number, _held, block, _heldMinute[block], _heldSequence[block], output);
        _held.Clear(block);
        _heldDevice[block] = -1;
        _heldBlock[number] = NotHeld;
        _freeHeld[_freeHeldCount++] = block;
        _heldMinutes--;
    }

    // Writes a minute whose highest sequence is highestSequence: later minutes hold only sequences after it.
    private void Write(int number, MinuteSlots slots, int block, long minute, ulong highestSequence, LineProtocolWriter output)
    {
        if (slots.HasValues(block))
        {
            var device = _device[number]!;
            // Tag keys in lexical order (the line-protocol recommendation).
            output.Measurement(Measurement)
                .Tag("device"u8, device.IdUtf8)
                .Tag("district"u8, device.District)
                .Tag("kind"u8, device.Kind.Name());
            slots.WriteFields(block, output, FieldNames);
            output.EndLine(minute);
            MinutesWritten++;
        }

        _written[number] = Math.Max(_written[number], minute);
        // A minute from before the device restarted its counter (its sequence above the highest now) moves nothing.
        if (highestSequence <= _highestSequence[number])
        {
            _expectedFrom[number] = Math.Max(_expectedFrom[number], highestSequence + 1);
        }
    }

    private static byte[][][] BuildFieldNames()
    {
        string[] statistics = ["_min", "_max", "_mean", "_last", "_count"];
        var names = new byte[Metrics.MaxCode + 1][][];
        for (var code = 0; code <= Metrics.MaxCode; code++)
        {
            var metric = ((Metric)code).Name();
            names[code] = [.. statistics.Select(s => System.Text.Encoding.ASCII.GetBytes(metric + s))];
        }

        return names;
    }
}
