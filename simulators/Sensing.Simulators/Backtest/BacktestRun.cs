using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Simulators.Replay;
using Sensing.Simulators.Truth;

namespace Sensing.Simulators.Backtest;

/// <summary>What a backtest did.</summary>
/// <param name="Readings">Readings handed to the engine (values of one device at one time form one reading).</param>
/// <param name="Duplicates">Readings the engine skipped as duplicates.</param>
/// <param name="Alerts">Every alert, in the order raised.</param>
public sealed record BacktestResult(long Readings, long Duplicates, IReadOnlyList<AlertRecord> Alerts);

/// <summary>
/// Runs the processor's <see cref="DetectionEngine"/> over recorded readings in event-time order: each reading gets
/// the next per-device sequence number, is encoded as a telemetry frame and processed exactly as the processor
/// does, with <see cref="DetectionEngine.AdvanceTo"/> following the highest time processed; alert lifecycle events
/// are folded into one <see cref="AlertRecord"/> per alert.
/// </summary>
public static class BacktestRun
{
    // Event time between two AdvanceTo calls; raise times do not depend on it (the engine back-dates them).
    private const long AdvanceStepMs = 10_000;

    /// <summary>Runs the engine over <paramref name="readings"/> (in event-time order) for the devices of <paramref name="devices"/>.</summary>
    public static BacktestResult Run(IReadOnlyList<RecordedReading> readings, IEnumerable<DeviceInfo> devices, DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var sink = new AlertRecordSink();
        var engine = new DetectionEngine(options, registry, sink);
        var sequences = new ulong[registry.Count];
        var frame = new byte[TelemetryFrame.MaxLength];
        var watermark = long.MinValue;
        var advancedAt = long.MinValue;
        foreach (var reading in readings)
        {
            if (!registry.TryFind(reading.Device.IdUtf8, out var number))
            {
                throw new ArgumentException($"device '{reading.Device.Id}' is not among the devices given");
            }

            var device = registry[number];
            var length = TelemetryFrame.Write(frame, device.IdUtf8, device.Kind, reading.TimeMs, reading.ReceivedMs, ++sequences[number], default, reading.Metrics);
            TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var decoded, out _);
            engine.Process(number, decoded);

            // As the processor does: event time moves on to the highest time processed (a skewed clock counts by its
            // receive time), and time-driven conditions (offline, out of service) are evaluated at least every AdvanceStepMs.
            watermark = Math.Max(watermark, Math.Min(reading.TimeMs, reading.ReceivedMs));
            if (advancedAt == long.MinValue || watermark - advancedAt >= AdvanceStepMs)
            {
                engine.AdvanceTo(watermark);
                advancedAt = watermark;
            }
        }

        if (watermark != long.MinValue)
        {
            engine.AdvanceTo(watermark);
        }

        return new BacktestResult(readings.Count, engine.Duplicates, sink.Records);
    }
}
