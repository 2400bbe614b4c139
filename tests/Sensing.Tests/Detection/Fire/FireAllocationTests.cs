using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection.Fire;

[TestFixture]
public sealed class FireAllocationTests
{
    [Test]
    public void ProcessAndAdvance_FireFleetWithStandingAlertsOverDays_AllocatesNothing()
    {
        // Ten buildings: smoke alarms (one in a standing confirmed alarm with a second, one removed from its base),
        // electrical fire detectors (one in a standing residual pre-alarm) and fire-water pressure sensors (one building
        // with a closed valve); days pass, so daily peaks move through their rings.
        var devices = new List<DeviceInfo>();
        for (var b = 0; b < 10; b++)
        {
            for (var i = 0; i < 4; i++)
            {
                devices.Add(new DeviceInfo($"sa-{b}-{i}", DeviceKind.SmokeAlarm, "d01", 3600, "") { Parameters = DeviceParameters.Parse($"building=b{b}") });
            }

            devices.Add(new DeviceInfo($"ef-{b}", DeviceKind.ElectricalFireDetector, "d01", 300, "") { Parameters = DeviceParameters.Parse($"building=b{b}") });
            devices.Add(new DeviceInfo($"fp-{b}", DeviceKind.FireWaterPressure, "d01", 300, "") { Parameters = DeviceParameters.Parse($"building=b{b}") });
            devices.Add(new DeviceInfo($"md-{b}", DeviceKind.MethaneDetector, "d01", 300, "") { Parameters = DeviceParameters.Parse($"building=b{b}") });
        }

        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var ids = devices.ConvertAll(d => Encoding.ASCII.GetBytes(d.Id));
        var sink = new RecordingSink();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[3];
        var sequence = 0UL;
        var at = 0L;
        const long Start = 1_750_000_000_000, Step = 30_000;

        int Fill(string id, DeviceKind kind, long t)
        {
            switch (kind)
            {
                case DeviceKind.SmokeAlarm:
                    var bits = id is "sa-0-0" or "sa-0-1" ? SmokeAlarmBits.Alarm : id == "sa-1-0" ? SmokeAlarmBits.Removed : 0u;
                    metrics[0] = new MetricValue(Metric.AlarmBits, bits);
                    metrics[1] = new MetricValue(Metric.BatteryVolts, 3.0);
                    return 2;
                case DeviceKind.ElectricalFireDetector:
                    metrics[0] = new MetricValue(Metric.ResidualCurrentMa, id == "ef-2" ? 260 : 80 + (t % 7));
                    metrics[1] = new MetricValue(Metric.Temperature, 35 + (3 * Math.Sin(t / 3_600_000.0)));
                    return 2;
                case DeviceKind.FireWaterPressure:
                    metrics[0] = new MetricValue(Metric.Pressure, id == "fp-3" ? 0.02 : 0.35 + ((t % 3) * 0.001));
                    return 1;
                default:
                    metrics[0] = new MetricValue(Metric.MethaneLel, 1 + (t % 3));
                    return 1;
            }
        }

        void Run(long until)
        {
            for (; at < until; at += Step)
            {
                var timeMs = Start + at;
                for (var n = 0; n < devices.Count; n++)
                {
                    var count = Fill(devices[n].Id, devices[n].Kind, at);
                    var length = TelemetryFrame.Write(frame, ids[n], devices[n].Kind, timeMs, timeMs, ++sequence, TraceContext.None, metrics.AsSpan(0, count));
                    TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                    engine.Process(n, reading);
                }

                engine.AdvanceTo(timeMs);
            }
        }

        const long Day = 86_400_000;
        Run(2 * Day);
        var raised = sink.Events.Count;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(5 * Day);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var readings = 3 * Day / Step * devices.Count;

        Assert.That(engine.Fire.ActiveCount(AlertCondition.SmokeAlarm), Is.EqualTo(2));
        Assert.That(engine.Fire.ActiveCount(AlertCondition.SmokeAlarmFault), Is.EqualTo(1));
        Assert.That(engine.Fire.ActiveCount(AlertCondition.ResidualCurrent), Is.EqualTo(1));
        Assert.That(engine.Fire.ActiveCount(AlertCondition.FireWaterPressureLow), Is.EqualTo(1));
        Assert.That(sink.Events.Count, Is.EqualTo(raised), "the measured days are steady state");
        Assert.That(allocated, Is.Zero, $"{(double)allocated / readings:0.###} B per reading");
    }
}
