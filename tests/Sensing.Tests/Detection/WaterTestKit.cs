using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

/// <summary>
/// A registry of water devices, an engine over it, and readings encoded with TelemetryFrame.Write; each device's
/// sequence number counts up by itself. Times are milliseconds after <see cref="T0"/>.
/// </summary>
internal sealed class WaterTestKit
{
    // Monday 2025-06-02 00:00 UTC: weekly baselines start on a week boundary in UTC (the epoch is a Thursday,
    // which does not matter: only consistency does).
    public const long T0 = 1_748_822_400_000;
    public const long Minute = 60_000;
    public const long Hour = 60 * Minute;
    public const long Day = 24 * Hour;

    private readonly byte[] _frame = new byte[TelemetryFrame.MaxLength];
    private readonly MetricValue[] _metric = new MetricValue[1];
    private readonly Dictionary<string, ulong> _sequence = new(StringComparer.Ordinal);
    private readonly DetectionOptions _options;
    private DetectionEngine? _engine;

    public WaterTestKit(DetectionOptions? options = null) => _options = options ?? DetectionOptions.Default;

    public DeviceRegistry Registry { get; } = new();

    public RecordingSink Sink { get; } = new();

    public List<AlertEvent> Events => Sink.Events;

    /// <summary>The engine, built on first use over the devices added so far.</summary>
    public DetectionEngine Engine => _engine ??= new DetectionEngine(_options, Registry, Sink);

    public WaterTestKit Add(string id, DeviceKind kind, string district, string parameters = "")
    {
        Registry.Upsert([new DeviceInfo(id, kind, district, 300, "") { Parameters = DeviceParameters.Parse(parameters) }]);
        return this;
    }

    /// <summary>Feeds one reading of <paramref name="id"/> at <see cref="T0"/> + <paramref name="atMs"/>.</summary>
    public void Feed(string id, long atMs, Metric metric, double value)
    {
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(id), out var number), Is.True, id);
        var sequence = _sequence[id] = _sequence.GetValueOrDefault(id) + 1;
        _metric[0] = new MetricValue(metric, value);
        var length = TelemetryFrame.Write(_frame, Encoding.ASCII.GetBytes(id), Registry[number].Kind, T0 + atMs, T0 + atMs, sequence, TraceContext.None, _metric);
        Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
        Engine.Process(number, reading);
    }

    /// <summary>Sequence numbers go on from <paramref name="other"/>'s, as a device's would after a restart.</summary>
    public void ContinueSequencesOf(WaterTestKit other)
    {
        foreach (var (id, sequence) in other._sequence)
        {
            _sequence[id] = sequence;
        }
    }

    public int Number(string id)
    {
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(id), out var number), Is.True, id);
        return number;
    }

    public List<AlertEvent> Of(AlertCondition condition) => Events.Where(e => e.Condition == condition.Name()).ToList();
}
