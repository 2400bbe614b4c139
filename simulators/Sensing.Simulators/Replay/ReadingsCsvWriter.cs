using System.Globalization;
using System.Text;
using Sensing.Core.Telemetry;

namespace Sensing.Simulators.Replay;

/// <summary>
/// Writes readings as long-form CSV, <c>timestamp,sensor,value,received</c>, one metric a line, the sensor named
/// <c>device/metric</c> (so a registry alone maps it back). <c>received</c> is empty unless it differs from the
/// device's own timestamp (a skewed clock).
/// </summary>
public sealed class ReadingsCsvWriter : IDisposable
{
    /// <summary>The header line.</summary>
    public const string Header = "timestamp,sensor,value,received";

    private readonly StreamWriter _writer;
    private readonly char[] _buffer = new char[64];

    /// <summary>Creates (or overwrites) <paramref name="path"/> and writes the header.</summary>
    public ReadingsCsvWriter(string path)
    {
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        _writer.WriteLine(Header);
    }

    /// <summary>Lines written, header excluded.</summary>
    public long Lines { get; private set; }

    /// <summary>Writes one reading of <paramref name="deviceId"/>.</summary>
    public void Write(string deviceId, long eventTimeMs, long receivedMs, ReadOnlySpan<MetricValue> metrics)
    {
        var timeLength = CsvTime.Format(eventTimeMs, _buffer);
        foreach (var metric in metrics)
        {
            _writer.Write(_buffer, 0, timeLength);
            _writer.Write(',');
            _writer.Write(deviceId);
            _writer.Write('/');
            _writer.Write(metric.Metric.Name());
            _writer.Write(',');
            metric.Value.TryFormat(_buffer.AsSpan(32), out var n, default, CultureInfo.InvariantCulture);
            _writer.Write(_buffer, 32, n);
            _writer.Write(',');
            if (receivedMs != eventTimeMs)
            {
                _writer.Write(CsvTime.Format(receivedMs));
            }

            _writer.WriteLine();
            Lines++;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
