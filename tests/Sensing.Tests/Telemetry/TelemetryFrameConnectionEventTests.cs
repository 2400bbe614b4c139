using NUnit.Framework;
using System.Text;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Tests.Telemetry;

[TestFixture]
public sealed class TelemetryFrameConnectionEventTests
{
    private static readonly byte[] Device = Encoding.ASCII.GetBytes("gm-000001");

    [TestCase(0UL, new[] { Metric.Online }, true, TestName = "IsConnectionEvent_OnlineOnlyWithSequenceZero_True")]
    [TestCase(7UL, new[] { Metric.Online }, false, TestName = "IsConnectionEvent_OnlineFromTheDeviceWithItsSequence_False")]
    [TestCase(0UL, new[] { Metric.GasFlow }, false, TestName = "IsConnectionEvent_ReadingWithSequenceZero_False")]
    [TestCase(0UL, new[] { Metric.Online, Metric.BatteryVolts }, false, TestName = "IsConnectionEvent_OnlineWithOtherMetrics_False")]
    public void IsConnectionEvent_ByShape(ulong sequence, Metric[] metrics, bool expected)
    {
        var buffer = new byte[TelemetryFrame.MaxLength];
        var values = metrics.Select(m => new MetricValue(m, 1)).ToArray();
        var length = TelemetryFrame.Write(buffer, Device, DeviceKind.GasMeter, 1_000, 1_000, sequence, TraceContext.None, values);

        Assert.That(TelemetryFrame.TryDecode(buffer.AsSpan(0, length), out var frame, out var error), Is.True, error.ToString());
        Assert.That(frame.IsConnectionEvent, Is.EqualTo(expected));
    }
}
