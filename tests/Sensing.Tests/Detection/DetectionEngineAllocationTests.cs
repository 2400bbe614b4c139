using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionEngineAllocationTests
{
    private const int Devices = 100;
    private const int Readings = 100_000;

    [Test]
    public void Process_SteadyStateBelowThreshold_AllocatesNothing()
    {
        var registry = new DeviceRegistry();
        var devices = new DeviceInfo[Devices];
        for (var i = 0; i < Devices; i++)
        {
            devices[i] = new DeviceInfo($"md-{i:D5}", i % 10 == 0 ? DeviceKind.GasMeter : DeviceKind.MethaneDetector, "laoshan-3", 30, "");
        }

        registry.Upsert(devices);
        var ids = Array.ConvertAll(devices, d => Encoding.ASCII.GetBytes(d.Id));
        var sink = new DetectionTestKitSinkCounter();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[2];
        ulong sequence = 0;

        void Run()
        {
            for (var i = 0; i < Readings; i++)
            {
                var device = i % Devices;
                sequence++;

                // Cycles 0-24 %LEL: never reaches level 1. Every fifth device also reports a battery voltage.
                metrics[0] = new MetricValue(Metric.BatteryVolts, 3.6);
                metrics[1] = new MetricValue(Metric.MethaneLel, i % 25);
                var used = device % 5 == 1 ? metrics.AsSpan() : metrics.AsSpan(1);
                var length = TelemetryFrame.Write(frame, ids[device], devices[device].Kind, 1_750_000_000_000 + i, 0, sequence, TraceContext.None, used);
                TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                engine.Process(device, reading);

                // Every hundredth reading is a replay of the previous one, exercising the duplicate path.
                if (i % 100 == 0)
                {
                    engine.Process(device, reading);
                }
            }
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(sink.Count, Is.Zero, "the workload must stay below the alarm level");
        Assert.That(engine.Processed, Is.EqualTo(2 * Readings));
        Assert.That(engine.Duplicates, Is.EqualTo(2 * Readings / 100));
        Assert.That(allocated, Is.Zero, $"{(double)allocated / Readings:0.###} B per reading");
    }

    private sealed class DetectionTestKitSinkCounter : IAlertSink
    {
        public int Count { get; private set; }

        public void OnAlert(Sensing.Core.Alerts.AlertEvent alert) => Count++;
    }
}
