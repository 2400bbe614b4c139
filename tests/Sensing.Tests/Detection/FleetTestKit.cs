using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

/// <summary>Collects alert events and device commands in order.</summary>
internal sealed class RecordingAlertAndCommandSink : IAlertSink, ICommandSink
{
    public List<AlertEvent> Events { get; } = [];

    public List<DeviceCommand> Commands { get; } = [];

    public void OnAlert(AlertEvent alert) => Events.Add(alert);

    public void OnCommand(DeviceCommand command) => Commands.Add(command);
}

/// <summary>
/// A registry with one device of several kinds, an engine over it, and readings with any metrics encoded with
/// TelemetryFrame.Write; sequence numbers count up per device, ingest time equals event time unless given.
/// </summary>
internal sealed class FleetTestKit
{
    public const string Meter = "gm-00001";
    public const string SmallMeter = "gm-00002";
    public const string Charger = "ev-00001";
    public const string Detector = "md-00001";
    public const string District = "shinan-1";
    public const string OtherDistrict = "licang-2";
    public const long T0 = 1_750_000_000_000;

    private readonly byte[] _frame = new byte[TelemetryFrame.MaxLength];
    private readonly Dictionary<string, ulong> _sequences = [];

    public FleetTestKit(DetectionOptions? options = null)
    {
        Registry.Upsert(
        [
            new DeviceInfo(Meter, DeviceKind.GasMeter, District, 900, "") { Parameters = DeviceParameters.Parse("qmax=6") },
            new DeviceInfo(SmallMeter, DeviceKind.GasMeter, OtherDistrict, 900, "") { Parameters = DeviceParameters.Parse("qmax=2.5;low_battery_v=3.1") },
            new DeviceInfo(Charger, DeviceKind.EvCharger, District, 60, ""),
            new DeviceInfo(Detector, DeviceKind.MethaneDetector, District, 30, ""),
        ]);
        Engine = new DetectionEngine(options ?? DetectionOptions.Default, Registry, Sink);
    }

    public DeviceRegistry Registry { get; } = new();

    public RecordingAlertAndCommandSink Sink { get; } = new();

    public DetectionEngine Engine { get; }

    public List<AlertEvent> Events => Sink.Events;

    /// <summary>Events of one condition.</summary>
    public List<AlertEvent> Of(AlertCondition condition) => Events.Where(e => e.Condition == condition.Name()).ToList();

    public int Number(string deviceId)
    {
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(deviceId), out var number), Is.True, deviceId);
        return number;
    }

    /// <summary>Feeds one reading of <paramref name="deviceId"/> at <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    public void Feed(string deviceId, double seconds, params MetricValue[] metrics) => FeedAt(deviceId, seconds, seconds, metrics);

    /// <summary>Feeds one reading with an explicit ingest time (seconds after <see cref="T0"/>).</summary>
    public void FeedAt(string deviceId, double seconds, double ingestSeconds, params MetricValue[] metrics)
    {
        Assert.That(Registry.TryFind(deviceId, out var device), Is.True, deviceId);
        var sequence = _sequences.GetValueOrDefault(deviceId) + 1;
        _sequences[deviceId] = sequence;
        var length = TelemetryFrame.Write(
            _frame, Encoding.ASCII.GetBytes(deviceId), device!.Kind, T0 + (long)(seconds * 1000), T0 + (long)(ingestSeconds * 1000), sequence,
            TraceContext.None, metrics);
        Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
        Engine.Process(Number(deviceId), reading);
    }

    /// <summary>
    /// Feeds the gateway's connection event for <paramref name="deviceId"/>: an <c>online</c> reading with sequence
    /// number 0, as the gateway writes it on CONNECT (1) and when the will fires (0).
    /// </summary>
    public void FeedConnectionEvent(string deviceId, double seconds, bool online)
    {
        Assert.That(Registry.TryFind(deviceId, out var device), Is.True, deviceId);
        var at = T0 + (long)(seconds * 1000);
        var length = TelemetryFrame.Write(
            _frame, Encoding.ASCII.GetBytes(deviceId), device!.Kind, at, at, 0, TraceContext.None, [new MetricValue(Metric.Online, online ? 1 : 0)]);
        Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
        Engine.Process(Number(deviceId), reading);
    }

    /// <summary>Carries on the sequence numbers of <paramref name="other"/> (a kit whose engine state this one restored).</summary>
    public void ContinueSequencesOf(FleetTestKit other)
    {
        foreach (var (device, sequence) in other._sequences)
        {
            _sequences[device] = sequence;
        }
    }

    /// <summary>Moves the engine's event time to <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    public void AdvanceTo(double seconds) => Engine.AdvanceTo(T0 + (long)(seconds * 1000));

    public static MetricValue Flow(double m3h) => new(Metric.GasFlow, m3h);

    public static MetricValue Volume(double m3) => new(Metric.GasVolume, m3);

    public static MetricValue Battery(double volts) => new(Metric.BatteryVolts, volts);

    public static MetricValue Bits(uint bits) => new(Metric.AlarmBits, bits);

    public static MetricValue Valve(bool open) => new(Metric.ValveOpen, open ? 1 : 0);

    public static MetricValue Status(ChargerStatus status) => new(Metric.ConnectorStatus, (double)status);

    public static MetricValue Error(ChargerError error) => new(Metric.ChargerErrorCode, (double)error);
}
