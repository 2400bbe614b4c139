using Sensing.Core.Devices;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// The water-network detectors of one <see cref="DetectionEngine"/>, sharing one resolution of the registry's water
/// devices into districts (a district's override, <see cref="DetectionOverrides.Districts"/>, is applied there, once
/// per district).
/// </summary>
public sealed partial class WaterDetectors
{
    private DeviceRules _rules;

    internal WaterDetectors(DeviceRules rules, DeviceRegistry registry, IAlertSink sink, int capacity)
    {
        _rules = rules;
        var network = _network = new WaterNetwork(rules, registry, capacity);
        var chatter = rules.Options.Lifecycle.ToRule();
        LowPressure = new LowPressureDetector(network, chatter, sink);
        PipeBurst = new PipeBurstDetector(network, sink);
        NightFlow = new NightFlowDetector(network, sink);
        InletLeak = new InletLeakDetector(network, PipeBurst, sink);
        NightFlow.DeferTo(InletLeak);
        ReservoirLevel = new ReservoirLevelDetector(network, chatter, sink);
        HeavyRain = new HeavyRainDetector(network, chatter, sink);
        Inputs = [LowPressure, PipeBurst.PressureInput, PipeBurst.FlowInput, NightFlow, InletLeak, ReservoirLevel, HeavyRain];
    }

    /// <summary>The city's options in force (before district overrides).</summary>
    public WaterOptions Options => _rules.Options.Water;

    /// <summary>Low service pressure, device and district alerts.</summary>
    public LowPressureDetector LowPressure { get; }

    /// <summary>Pipe burst, district alerts.</summary>
    public PipeBurstDetector PipeBurst { get; }

    /// <summary>Minimum-night-flow rise, district alerts.</summary>
    public NightFlowDetector NightFlow { get; }

    /// <summary>Leaks and bursts from district inlet flow alone, district alerts (one per leak).</summary>
    public InletLeakDetector InletLeak { get; }

    /// <summary>Reservoir level colours.</summary>
    public ReservoirLevelDetector ReservoirLevel { get; }

    /// <summary>Heavy rain.</summary>
    public HeavyRainDetector HeavyRain { get; }

    internal IDeviceDetector[] Inputs { get; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="rules"/> would change how learned state is laid out
    /// for a district that holds such state (pipe-burst slots, night-flow baseline days, rain window buckets): that
    /// state cannot be kept, so such a change needs a restart (which starts those baselines again). Changes nothing.
    /// </summary>
    internal void CheckApply(DeviceRules rules)
    {
        var next = _network.OptionsUnder(rules);
        PipeBurst.CheckApply(next);
        NightFlow.CheckApply(next);
        HeavyRain.CheckApply(next);
    }

    /// <summary>New options (checked by <see cref="CheckApply"/>): every district and gauge takes its new limits; state is kept.</summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        _network.Apply(rules);
        var chatter = rules.Options.Lifecycle.ToRule();
        LowPressure.Apply(chatter);
        PipeBurst.Apply();
        NightFlow.Apply();
        InletLeak.Apply();
        ReservoirLevel.Apply(chatter);
        HeavyRain.Apply(chatter);
    }

    /// <summary>Event time moved on without readings (<see cref="DetectionEngine.AdvanceTo"/>): rain windows slide.</summary>
    internal void Advance(long nowMs) => HeavyRain.Advance(nowMs);
}
