using Sensing.Detection.Gas;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="MethaneDetectorOptions"/> (section <c>methane</c>) and <see cref="GasMeterDetectorOptions"/> (section <c>gasMeter</c>).</summary>
internal static class GasRules
{
    public static RuleRecord<MethaneDetectorOptions> Methane { get; } =
        new RuleRecord<MethaneDetectorOptions>("methane",
            "Fixed methane detectors (kind methane-detector), in %LEL (100 %LEL = 5 % vol methane); defaults from GB/T 50493-2019. "
            + "Utility tunnels alarm at 20 %LEL (GB 50838): set that in the tunnel district's entry.",
            static o => o.Validate())
        .Number("level1Lel", o => o.Level1Lel, (o, v) => o with { Level1Lel = v },
            "First-level alarm (severity High) at or above this concentration, %LEL; above 0, at most 100 (GB/T 50493-2019: at most 25).")
        .Number("level2Lel", o => o.Level2Lel, (o, v) => o with { Level2Lel = v },
            "Second-level alarm (the alert escalates to Critical), %LEL; above level1Lel, at most 100 (GB/T 50493-2019: at most 50).")
        .Number("deadbandLel", o => o.DeadbandLel, (o, v) => o with { DeadbandLel = v },
            "An active alert clears only below level1Lel minus this, %LEL; 0 or more, below level1Lel.")
        .Duration("onDelay", o => o.OnDelay, (o, v) => o with { OnDelay = v },
            "How long the concentration must stay at or above level1Lel before the alert is raised; 0 (a gas alarm does not wait) or more.")
        .Duration("offDelay", o => o.OffDelay, (o, v) => o with { OffDelay = v },
            "How long it must stay below the deadband before the alert clears; 0 or more.");

    public static RuleRecord<GasMeterDetectorOptions> GasMeter { get; } =
        new RuleRecord<GasMeterDetectorOptions>("gasMeter",
            "NB-IoT gas meters (kind gas-meter): micro-leak, rupture (commands the valve closed), long use, tamper, valve fault. "
            + "Flows in m3/h; a meter's own qmax registry parameter sets its Qmax.",
            static o => o.Validate())
        .Number("zeroFlowM3h", o => o.ZeroFlowM3h, (o, v) => o with { ZeroFlowM3h = v },
            "A flow at or below this is no flow, m3/h (the meter's resolution); 0 or more, below longUseMinFlowM3h.")
        .Duration("microLeakWindow", o => o.MicroLeakWindow, (o, v) => o with { MicroLeakWindow = v },
            "Flow that never returns to zero for this long is a suspected micro-leak; above 0.")
        .Duration("volumeStallLimit", o => o.VolumeStallLimit, (o, v) => o with { VolumeStallLimit = v },
            "Flow reported while the volume register has not moved for this long is a stuck sensor, not gas; above 0.")
        .Number("longUseMinFlowM3h", o => o.LongUseMinFlowM3h, (o, v) => o with { LongUseMinFlowM3h = v },
            "Flow at or above this is the meter in use, for the long-use rule, m3/h (0.1 m3/h of gas is about 1 kW); above 0.")
        .Duration("longUseWindow", o => o.LongUseWindow, (o, v) => o with { LongUseWindow = v },
            "Use without a break for this long raises long use (practice: 8-12 h); above 0.")
        .Number("ruptureFractionOfQmax", o => o.RuptureFractionOfQmax, (o, v) => o with { RuptureFractionOfQmax = v },
            "Rupture limit as a fraction of the meter's Qmax; above 0, at most 2.")
        .Number("defaultQmaxM3h", o => o.DefaultQmaxM3h, (o, v) => o with { DefaultQmaxM3h = v },
            "Qmax of meters without a qmax parameter, m3/h (a G4 household meter, EN 1359: 6); above 0.")
        .Duration("ruptureDuration", o => o.RuptureDuration, (o, v) => o with { RuptureDuration = v },
            "Flow must stay at or above the rupture limit this long before rupture is raised (one spike never is); 0 or more.")
        .Number("flowDeadband", o => o.FlowDeadband, (o, v) => o with { FlowDeadband = v },
            "Deadband under every flow limit, as a fraction of the limit (ISA-18.2 practice for flow: 0.05); 0 or more, below 1.")
        .Boolean("closeValveOnRupture", o => o.CloseValveOnRupture, (o, v) => o with { CloseValveOnRupture = v },
            "Command the meter's valve closed when a rupture is raised (EN 50194 Type A): true or false.")
        .Duration("valveResponse", o => o.ValveResponse, (o, v) => o with { ValveResponse = v },
            "A reading this long after a close command that still says the valve is open raises a valve fault; 0 or more.");
}
