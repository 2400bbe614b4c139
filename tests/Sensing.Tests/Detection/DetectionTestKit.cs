using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

/// <summary>Collects alert events in order.</summary>
internal sealed class RecordingSink : IAlertSink
{
    public List<AlertEvent> Events { get; } = [];

    public void OnAlert(AlertEvent alert) => Events.Add(alert);
}

/// <summary>A small registry, an engine over it, and readings encoded with TelemetryFrame.Write.</summary>
internal sealed class DetectionTestKit
{
    public const string Methane = "md-00042";
    public const string Charger = "ev-00007";
    public const string District = "laoshan-3";
    public const long T0 = 1_750_000_000_000;

    private readonly byte[] _frame = new byte[TelemetryFrame.MaxLength];
    private readonly MetricValue[] _metric = new MetricValue[1];

    public DetectionTestKit(DetectionOptions? options = null)
    {
        Registry.Upsert(
        [
            new DeviceInfo(Methane, DeviceKind.MethaneDetector, District, 30, ""),
            new DeviceInfo(Charger, DeviceKind.EvCharger, District, 30, ""),
        ]);
        Engine = new DetectionEngine(options ?? DetectionOptions.Default, Registry, Sink);
    }

    public DeviceRegistry Registry { get; } = new();

    public RecordingSink Sink { get; } = new();

    public DetectionEngine Engine { get; }

    public List<AlertEvent> Events => Sink.Events;

    /// <summary>Feeds one methane reading of <paramref name="deviceId"/>, <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    public void Feed(ulong sequence, double seconds, double lel, string deviceId = Methane)
    {
        Assert.That(Registry.TryFind(deviceId, out var device), Is.True, deviceId);
        Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(deviceId), out var number), Is.True, deviceId);
        _metric[0] = new MetricValue(Metric.MethaneLel, lel);
        var length = TelemetryFrame.Write(
            _frame, Encoding.ASCII.GetBytes(deviceId), device!.Kind, T0 + (long)(seconds * 1000), T0 + (long)(seconds * 1000), sequence, TraceContext.None, _metric);
        Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
        Engine.Process(number, reading);
    }

    /// <summary>Feeds readings one second apart with sequence numbers 1, 2, ...</summary>
    public void FeedSeries(params double[] lel)
    {
        for (var i = 0; i < lel.Length; i++)
        {
            Feed((ulong)i + 1, i, lel[i]);
        }
    }
}
