using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection.Fire;

/// <summary>
/// A building "tower-7" with two smoke alarms, a methane detector, an electrical fire detector and two fire-water
/// pressure sensors; a smoke alarm "sa-far" in another building; readings encoded with TelemetryFrame.Write.
/// </summary>
internal sealed class FireTestKit
{
    public const long T0 = 1_750_000_000_000;
    public const long Second = 1000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;

    private readonly byte[] _frame = new byte[TelemetryFrame.MaxLength];
    private readonly Dictionary<string, ulong> _sequence = [];

    public FireTestKit(DetectionOptions? options = null)
    {
        Registry.Upsert(
        [
            Device("sa-1", DeviceKind.SmokeAlarm, 4 * 3600, "building=tower-7"),
            Device("sa-2", DeviceKind.SmokeAlarm, 4 * 3600, "building=tower-7"),
            Device("sa-far", DeviceKind.SmokeAlarm, 4 * 3600, "building=tower-9"),
            Device("md-1", DeviceKind.MethaneDetector, 30, "building=tower-7"),
            Device("ef-1", DeviceKind.ElectricalFireDetector, 300, "building=tower-7;circuit=L2"),
            Device("fp-1", DeviceKind.FireWaterPressure, 300, "building=tower-7"),
            Device("fp-2", DeviceKind.FireWaterPressure, 300, "building=tower-7"),
        ]);
        Engine = new DetectionEngine(options ?? DetectionOptions.Default, Registry, Sink);
    }

    public DeviceRegistry Registry { get; } = new();

    public RecordingSink Sink { get; } = new();

    public DetectionEngine Engine { get; }

    public IEnumerable<AlertEvent> Raised(AlertCondition condition) =>
        Sink.Events.Where(e => e.Type == AlertEventType.Raised && e.Condition == condition.Name());

    /// <summary>Feeds one reading of <paramref name="id"/> at <paramref name="atMs"/> after <see cref="T0"/>.</summary>
    public void Feed(string id, long atMs, params (Metric Metric, double Value)[] values)
    {
        Assert.That(Registry.TryFind(id, out var device), Is.True, id);
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(id), out var number), Is.True, id);
        var sequence = _sequence[id] = _sequence.GetValueOrDefault(id) + 1;
        var metrics = values.Select(v => new MetricValue(v.Metric, v.Value)).ToArray();
        var length = TelemetryFrame.Write(_frame, Encoding.ASCII.GetBytes(id), device!.Kind, T0 + atMs, T0 + atMs, sequence, TraceContext.None, metrics);
        Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
        Engine.Process(number, reading);
    }

    /// <summary>A smoke alarm's status word.</summary>
    public void Smoke(string id, long atMs, uint bits) => Feed(id, atMs, (Metric.AlarmBits, bits), (Metric.BatteryVolts, 3.0));

    public void Advance(long atMs) => Engine.AdvanceTo(T0 + atMs);

    /// <summary>Input stream <paramref name="stream"/>'s time reached <paramref name="atMs"/> after <see cref="T0"/>.</summary>
    public void AdvanceStream(int stream, long atMs) => Engine.AdvanceStream(stream, T0 + atMs);

    /// <summary>The device number of <paramref name="id"/> in <see cref="Registry"/>.</summary>
    public int Number(string id)
    {
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(id), out var number), Is.True, id);
        return number;
    }

    private static DeviceInfo Device(string id, DeviceKind kind, int interval, string parameters) =>
        new(id, kind, "d01", interval, "") { Parameters = DeviceParameters.Parse(parameters) };
}
