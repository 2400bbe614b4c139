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

    private void Write(int number, LineProtocolWriter output)
    {
        var device = _device[number]!;
        var first = number * _slots;
        if (_metric[first] != 0)
        {
            // Tag keys in lexical order (the line-protocol recommendation).
            output.Measurement(Measurement)
                .Tag("device"u8, device.IdUtf8)
                .Tag("district"u8, device.District)
                .Tag("kind"u8, device.Kind.Name());
            for (var slot = first; slot < first + _slots && _metric[slot] != 0; slot++)
            {
                var names = FieldNames[_metric[slot]];
                output.Field(names[0], _min[slot])
                    .Field(names[1], _max[slot])
                    .Field(names[2], _sum[slot] / _count[slot])
                    .Field(names[3], _last[slot])
                    .Field(names[4], _count[slot]);
            }

            output.EndLine(_minute[number]);
            MinutesWritten++;
        }

        _metric.AsSpan(first, _slots).Clear();
        _written[number] = _minute[number];
        _minute[number] = NoMinute;
        _openDevices--;
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
