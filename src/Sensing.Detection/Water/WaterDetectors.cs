using Sensing.Core.Devices;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// The water-network detectors of one <see cref="DetectionEngine"/>, sharing one resolution of the registry's water
/// devices into districts (<see cref="WaterOptions.Districts"/> overrides are applied there, once per device).
/// </summary>
public sealed partial class WaterDetectors
{
    internal WaterDetectors(WaterOptions options, AlertLifecycleOptions lifecycle, DeviceRegistry registry, IAlertSink sink, int capacity)
    {
        options.Validate();
        Options = options;
        var network = _network = new WaterNetwork(options, registry, capacity);
        var chatter = lifecycle.ToRule();
        LowPressure = new LowPressureDetector(network, chatter, sink);
        PipeBurst = new PipeBurstDetector(network, sink);
        NightFlow = new NightFlowDetector(network, sink);
        ReservoirLevel = new ReservoirLevelDetector(network, chatter, sink);
        HeavyRain = new HeavyRainDetector(network, chatter, sink);
        Inputs = [LowPressure, PipeBurst.PressureInput, PipeBurst.FlowInput, NightFlow, ReservoirLevel, HeavyRain];
    }

    /// <summary>The options in force.</summary>
    public WaterOptions Options { get; }

    /// <summary>Low service pressure, device and district alerts.</summary>
    public LowPressureDetector LowPressure { get; }

    /// <summary>Pipe burst, district alerts.</summary>
    public PipeBurstDetector PipeBurst { get; }

    /// <summary>Minimum-night-flow rise, district alerts.</summary>
    public NightFlowDetector NightFlow { get; }

    /// <summary>Reservoir level colours.</summary>
    public ReservoirLevelDetector ReservoirLevel { get; }

    /// <summary>Heavy rain.</summary>
    public HeavyRainDetector HeavyRain { get; }

    internal IDeviceDetector[] Inputs { get; }

    /// <summary>Event time moved on without readings (<see cref="DetectionEngine.AdvanceTo"/>): rain windows slide.</summary>
    internal void Advance(long nowMs) => HeavyRain.Advance(nowMs);
}
