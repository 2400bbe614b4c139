using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Reservoir level warning colours on <see cref="DeviceKind.ReservoirLevel"/> gauges (<see cref="Metric.Level"/>, m),
/// one <see cref="AlertCondition.ReservoirLevel"/> alert per gauge whose severity is the colour. The national
/// colours, from the gauge's registry parameters:
/// <list type="bullet">
/// <item>red (Critical) at or above <c>historic_max_m</c>, the highest level on record;</item>
/// <item>orange (High) at or above <c>guaranteed_m</c>, the guaranteed (safe) level;</item>
/// <item>yellow (Medium) at or above <c>warning_m</c>;</item>
/// <item>blue (Low) near the warning level: from <see cref="ReservoirLevelOptions.BlueBandM"/> below <c>warning_m</c>,
/// and at or above <c>flood_limit_m</c> whenever that is lower, because a level above the flood-limit level (the most
/// a reservoir may hold in the flood season) already breaks the operating rule.</item>
/// </list>
/// The highest colour reached wins (a historic maximum below the guaranteed level is still red); a parameter that is
/// absent removes its colour, and a gauge with none never alerts. Severity rises at once with the colour and stays
/// until the alert clears: once the level is below the blue start minus the deadband for the off-delay. A record the
/// registry replaces (new levels) takes effect from the gauge's next reading. Owned by one <see cref="DetectionEngine"/>; not thread-safe.
/// </summary>
public sealed partial class ReservoirLevelDetector : IDeviceDetector
{
    private static readonly string[] ColourNames = ["none", "blue", "yellow", "orange", "red"];

    private readonly WaterNetwork _network;
    private readonly IAlertSink _sink;
    private readonly AlertTrack _track;
    private Gauge[] _gauges = [];
    private DeviceInfo?[] _resolvedFor = [];

    internal ReservoirLevelDetector(WaterNetwork network, ChatterRule chatter, IAlertSink sink)
    {
        _network = network;
        _sink = sink;
        _track = new AlertTrack(AlertCondition.ReservoirLevel, chatter, 0);
        Resolve();
    }

    /// <inheritdoc cref="IDeviceDetector.Kind"/>
    public DeviceKind Kind => DeviceKind.ReservoirLevel;

    /// <summary>Number of gauges with an active level alert.</summary>
    public int ActiveCount => _track.ActiveCount;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active level alert; gives its id and severity (the colour).</summary>
    public bool TryGetActive(int deviceNumber, out string alertId, out AlertSeverity severity) =>
        _track.TryGetActive(_network.IndexOf(deviceNumber, Kind), out alertId, out severity);

    void IDeviceDetector.EnsureCapacity(int capacity)
    {
        _network.Resolve(capacity);
        Resolve();
    }

    void IDeviceDetector.Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!reading.TryGet(Metric.Level, out var level) || !double.IsFinite(level))
        {
            return;
        }

        var index = _network.IndexOf(deviceNumber);
        if (!ReferenceEquals(_resolvedFor[index], device))
        {
            Reresolve(index, device);
        }

        ref var gauge = ref _gauges[index];
        var colour = gauge.ColourOf(level);
        var steps = _track.Step(
            index, colour > 0, level < gauge.ClearBelowM, (AlertSeverity)Math.Max(colour, 1), level, reading.EventTimeMs, gauge.Timing);
        if (steps != LatchSteps.None)
        {
            Publish(steps, index, device, level, reading.EventTimeMs);
        }
    }

    private void Publish(LatchSteps steps, int index, DeviceInfo device, double level, long timeMs)
    {
        ref var gauge = ref _gauges[index];

        // Severity Low..Critical is the colour blue..red (1..4), latched at the highest reached while active.
        var colour = (steps & LatchSteps.Cleared) != 0 ? 0 : (int)_track[index].Severity;
        var message = colour == 0
            ? string.Create(CultureInfo.InvariantCulture, $"Reservoir {device.Id} level {level:0.00} m: cleared (below {gauge.ClearBelowM:0.00} m)")
            : string.Create(CultureInfo.InvariantCulture, $"Reservoir {device.Id} level {level:0.00} m: {ColourNames[colour]} (>= {gauge.ThresholdOf(colour):0.00} m)");
        _track.Publish(_sink, steps, index, device.Id, device.District, device.Kind.Name(), level, timeMs, message);
    }

    /// <summary>New options (resolved by the network): every gauge takes its new colour bands; alerts are kept.</summary>
    internal void Apply(ChatterRule chatter)
    {
        _track.Chatter = chatter;
        for (var index = 0; index < _gauges.Length; index++)
        {
            Reresolve(index, _resolvedFor[index] ?? _network.Registry[_network.DeviceOf(DeviceKind.ReservoirLevel, index)]);
        }
    }

    private void Resolve()
    {
        var count = _network.CountOf(DeviceKind.ReservoirLevel);
        if (count <= _gauges.Length)
        {
            return;
        }

        var first = _gauges.Length;
        Array.Resize(ref _gauges, count);
        Array.Resize(ref _resolvedFor, count);
        _track.EnsureCapacity(count);
        for (var index = first; index < count; index++)
        {
            ResolveGauge(index, _network.Registry[_network.DeviceOf(DeviceKind.ReservoirLevel, index)]);
        }
    }

    private void ResolveGauge(int index, DeviceInfo device)
    {
        var options = _network.OptionsOf(_network.DistrictOf(_network.DeviceOf(DeviceKind.ReservoirLevel, index))).ReservoirLevel;
        var warning = Level(device, "warning_m");
        var floodLimit = Level(device, "flood_limit_m");

        // Min ignoring an absent level: NaN marks "no such level" and fails every comparison.
        var blue = warning - options.BlueBandM;
        blue = double.IsNaN(blue) || floodLimit < blue ? floodLimit : blue;
        _gauges[index] = new Gauge
        {
            BlueM = blue,
            WarningM = warning,
            GuaranteedM = Level(device, "guaranteed_m"),
            HistoricMaxM = Level(device, "historic_max_m"),
            ClearBelowM = blue - (options.SpanM * options.DeadbandPercentOfSpan / 100),
            Timing = new LatchTiming(0, (long)options.OffDelay.TotalMilliseconds),
        };
        _resolvedFor[index] = device;
    }

    // The registry replaced the gauge's record (new levels): resolve it once. A bad level in a replaced record
    // cannot stop the stream; the gauge keeps its previous levels (the registry load reports it on the next start).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Reresolve(int index, DeviceInfo device)
    {
        try
        {
            ResolveGauge(index, device);
        }
        catch (ArgumentException)
        {
            _resolvedFor[index] = device;
        }
    }

    private static double Level(DeviceInfo device, string name)
    {
        double value;
        try
        {
            value = device.Parameters.GetDouble(name, double.NaN);
        }
        catch (FormatException e)
        {
            ThrowHelper.ThrowBadOption($"{device.Id}.{name}", e.Message);
            return 0;
        }

        if (double.IsInfinity(value))
        {
            ThrowHelper.ThrowBadOption($"{device.Id}.{name}", $"must be a finite level in m, was {value}");
        }

        return value;
    }

    private struct Gauge
    {
        public double BlueM;
        public double WarningM;
        public double GuaranteedM;
        public double HistoricMaxM;
        public double ClearBelowM;
        public LatchTiming Timing;

        /// <summary>0 none, 1 blue, 2 yellow, 3 orange, 4 red: the highest colour whose level is reached.</summary>
        public readonly int ColourOf(double level) =>
            level >= HistoricMaxM ? 4 : level >= GuaranteedM ? 3 : level >= WarningM ? 2 : level >= BlueM ? 1 : 0;

        public readonly double ThresholdOf(int colour) => colour switch
        {
            4 => HistoricMaxM,
            3 => GuaranteedM,
            2 => WarningM,
            _ => BlueM,
        };
    }
}
