using System.Text;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// A telemetry stream for restart tests: methane detectors whose levels rise, escalate and fall, and gas meters
/// that rupture (valve-close command) and close, in episodes that run across the middle of the stream, so a cut
/// there leaves alerts active and on-delays running. Devices report every 10 s of event time; their registered
/// report interval is an hour, so no device goes offline however partitions interleave.
/// </summary>
internal sealed class RestartScenario
{
    public const int Steps = 120;
    public const int DevicesPerKind = 4;
    private const long StepMs = 10_000;

    /// <summary>Devices <c>md-PREFIXn</c> and <c>gm-PREFIXn</c>; streams from <paramref name="startMs"/>.</summary>
    public RestartScenario(string prefix, long startMs)
    {
        StartMs = startMs;
        for (var i = 0; i < DevicesPerKind; i++)
        {
            Devices.Add(new DeviceInfo($"md-{prefix}{i}", DeviceKind.MethaneDetector, $"d0{i}", 3600, ""));
            Devices.Add(new DeviceInfo($"gm-{prefix}{i}", DeviceKind.GasMeter, $"d0{i}", 3600, "") { Parameters = DeviceParameters.Parse("qmax=6") });
        }
    }

    public long StartMs { get; }

    public List<DeviceInfo> Devices { get; } = [];

    /// <summary>Frames of steps <paramref name="from"/> to <paramref name="to"/> (exclusive), step by step, with their device id.</summary>
    public IEnumerable<(string Device, byte[] Frame)> Frames(int from, int to)
    {
        var buffer = new byte[TelemetryFrame.MaxLength];
        for (var step = from; step < to; step++)
        {
            for (var i = 0; i < DevicesPerKind; i++)
            {
                foreach (var device in (DeviceInfo[])[Devices[2 * i], Devices[(2 * i) + 1]])
                {
                    var timeMs = StartMs + (step * StepMs);
                    MetricValue[] metrics = device.Kind == DeviceKind.MethaneDetector ? Methane(i, step) : Meter(i, step);
                    var length = TelemetryFrame.Write(buffer, Encoding.UTF8.GetBytes(device.Id), device.Kind, timeMs, timeMs,
                        (ulong)step + 1, TraceContext.None, metrics);
                    yield return (device.Id, buffer.AsSpan(0, length).ToArray());
                }
            }
        }
    }

    /// <summary>The alert events of one uninterrupted engine over the whole stream, in the processor's order per device.</summary>
    public List<AlertEvent> Expected()
    {
        var registry = new DeviceRegistry();
        registry.Upsert(Devices);
        var sink = new CollectingSink();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        foreach (var (device, frame) in Frames(0, Steps))
        {
            TelemetryFrame.TryDecode(frame, out var reading, out _);
            registry.TryFind(Encoding.UTF8.GetBytes(device), out var number);
            engine.Process(number, reading);
        }

        return sink.Events;
    }

    // Episode 1 ends before the middle; episode 2 runs across it (steps 55+3i to 70+3i), escalating to level 2.
    private static MetricValue[] Methane(int i, int step)
    {
        var lel = step >= 10 + (7 * i) && step < 25 + (7 * i) ? (step == 15 + (7 * i) ? 60 : 30)
            : step >= 55 + (3 * i) && step < 70 + (3 * i) ? (step >= 62 ? 55 : 35)
            : 3;
        return [new MetricValue(Metric.MethaneLel, lel), new MetricValue(Metric.BatteryVolts, 3.6)];
    }

    // Rupture-sized flow (5.6 m3/h at Qmax 6) from step 5+9i to 50+9i; then the valve is closed and the flow stops.
    private static MetricValue[] Meter(int i, int step)
    {
        const double flowM3h = 5.6;
        int start = 5 + (9 * i), end = 50 + (9 * i);
        var flowing = Math.Clamp(step, start, end) - start;
        var volume = 100 + (flowing * flowM3h * StepMs / 3_600_000.0);
        var open = step < end;
        return
        [
            new MetricValue(Metric.GasFlow, step >= start && open ? flowM3h : 0),
            new MetricValue(Metric.GasVolume, volume),
            new MetricValue(Metric.ValveOpen, open ? 1 : 0),
        ];
    }

    private sealed class CollectingSink : IAlertSink, ICommandSink
    {
        public List<AlertEvent> Events { get; } = [];

        public void OnAlert(AlertEvent alert) => Events.Add(alert);

        public void OnCommand(Core.Commands.DeviceCommand command)
        {
        }
    }
}
