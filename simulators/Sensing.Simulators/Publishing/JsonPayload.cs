using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Sensing.Core.Telemetry;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// Writes a reading as the JSON payload devices send (see <c>JsonReadingDecoder</c>):
/// <c>{"seq":17,"ts":1767600000000,"flow":0.42,...}</c>; charger status and error as OCPP 1.6 names. No allocation.
/// </summary>
public static class JsonPayload
{
    private static readonly byte[][] MetricNames = [.. Enumerable.Range(0, Metrics.MaxCode + 1).Select(i => Encoding.ASCII.GetBytes(((Metric)i).Name()))];
    private static readonly byte[][] StatusNames = [.. Enum.GetNames<ChargerStatus>().Select(Encoding.ASCII.GetBytes)];
    private static readonly byte[][] ErrorNames = [.. Enum.GetNames<ChargerError>().Select(Encoding.ASCII.GetBytes)];

    /// <summary>Writes one payload.</summary>
    public static void Write(IBufferWriter<byte> output, ulong sequence, long eventTimeMs, ReadOnlySpan<MetricValue> metrics)
    {
        Raw(output, "{\"seq\":"u8);
        Advance(output, Utf8Formatter.TryFormat(sequence, output.GetSpan(20), out var n), n);
        Raw(output, ",\"ts\":"u8);
        Advance(output, Utf8Formatter.TryFormat(eventTimeMs, output.GetSpan(20), out n), n);
        foreach (var metric in metrics)
        {
            Raw(output, ",\""u8);
            Raw(output, MetricNames[(int)metric.Metric]);
            Raw(output, "\":"u8);
            var names = metric.Metric switch
            {
                Metric.ConnectorStatus => StatusNames,
                Metric.ChargerErrorCode => ErrorNames,
                _ => null,
            };
            if (names is not null && metric.Value >= 0 && metric.Value < names.Length)
            {
                Raw(output, "\""u8);
                Raw(output, names[(int)metric.Value]);
                Raw(output, "\""u8);
            }
            else
            {
                Advance(output, Utf8Formatter.TryFormat(metric.Value, output.GetSpan(32), out n), n);
            }
        }

        Raw(output, "}"u8);
    }

    private static void Advance(IBufferWriter<byte> output, bool formatted, int written)
    {
        if (formatted)
        {
            output.Advance(written);
        }
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
