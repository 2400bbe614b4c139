using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>
/// Rules for NB-IoT gas meters (<see cref="Core.Devices.DeviceKind.GasMeter"/>): micro-leak, rupture (with a
/// valve-close command), long use, tamper and valve fault (vendor practice, DOMAIN.md "Meter rules"). Flows in
/// m3/h. <see cref="DetectionOverrides"/> change them per district, kind or meter; a meter's own <c>qmax</c> parameter
/// sets its rupture limit. Resolved once per device record, never per reading.
/// </summary>
public sealed record GasMeterDetectorOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static GasMeterDetectorOptions Default { get; } = new();

    /// <summary>A flow at or below this is "no flow", m3/h (the meter's resolution). Default 0.</summary>
    public double ZeroFlowM3h { get; init; }

    /// <summary>
    /// Flow that never returns to zero for this long (event time) is a suspected micro-leak. Default 24 h.
    /// </summary>
    // DOMAIN.md, meter rules: "continuous small flow that never returns to zero for 24 h".
    public TimeSpan MicroLeakWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Flow reported while the cumulative volume has not moved for this long is not trusted (a stuck flow
    /// sensor): it neither confirms nor continues a micro-leak or long use. Applies to meters that report volume.
    /// Default 2 h.
    /// </summary>
    // 2 h: at the smallest flow a G1.6-G4 diaphragm meter registers (~0.016 m3/h) the 0.001 m3 register moves
    // every ~4 min, so a register frozen for 2 h while flow is reported means the flow value is stuck.
    public TimeSpan VolumeStallLimit { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Flow at or above which the meter is "in use" for the long-use rule, m3/h. Default 0.1.</summary>
    // 0.1 m3/h of natural gas is about 1 kW: a burner on, not a pilot flame or a leak.
    public double LongUseMinFlowM3h { get; init; } = 0.1;

    /// <summary>Continuous use at or above <see cref="LongUseMinFlowM3h"/> for this long raises long use. Default 10 h.</summary>
    // DOMAIN.md: continuous use beyond ~8-12 h.
    public TimeSpan LongUseWindow { get; init; } = TimeSpan.FromHours(10);

    /// <summary>Rupture limit as a fraction of the meter's Qmax (its <c>qmax</c> parameter). Default 0.9.</summary>
    // DOMAIN.md: "abnormal high flow above a fraction of the meter's Qmax". Household appliances together draw
    // well under Qmax (a G4 meter, Qmax 6 m3/h, feeds a 24 kW boiler at ~2.5 m3/h), so 90 % of Qmax sustained is
    // beyond any legitimate use.
    public double RuptureFractionOfQmax { get; init; } = 0.9;

    /// <summary>Qmax for meters without a <c>qmax</c> parameter, m3/h. Default 6 (a G4 household meter, EN 1359).</summary>
    public double DefaultQmaxM3h { get; init; } = 6;

    /// <summary>Flow must stay at or above the rupture limit this long (event time) to raise. Default 5 minutes.</summary>
    // DOMAIN.md: "for N minutes"; a single high reading (a spike) never raises.
    public TimeSpan RuptureDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Deadband under every flow limit, as a fraction of the limit. Default 0.05.</summary>
    // DOMAIN.md (ISA-18.2 deadband): flow 5 %.
    public double FlowDeadband { get; init; } = 0.05;

    /// <summary>Send a valve-close command when a rupture is raised. Default true.</summary>
    // EN 50194 Type A: the detector alarms and drives a shut-off valve.
    public bool CloseValveOnRupture { get; init; } = true;

    /// <summary>
    /// After a valve-close command, a reading at least this long after it that still says the valve is open raises
    /// a valve fault. Default 2 minutes.
    /// </summary>
    public TimeSpan ValveResponse { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        // Negated comparisons so NaN fails every check.
        if (!(ZeroFlowM3h >= 0 && ZeroFlowM3h < LongUseMinFlowM3h))
        {
            ThrowHelper.ThrowBadOption(nameof(ZeroFlowM3h), $"must be >= 0 and below {nameof(LongUseMinFlowM3h)} ({LongUseMinFlowM3h}), was {ZeroFlowM3h}");
        }

        if (!(LongUseMinFlowM3h > 0 && double.IsFinite(LongUseMinFlowM3h)))
        {
            ThrowHelper.ThrowBadOption(nameof(LongUseMinFlowM3h), $"must be a positive flow, was {LongUseMinFlowM3h}");
        }

        if (!(RuptureFractionOfQmax > 0 && RuptureFractionOfQmax <= 2))
        {
            ThrowHelper.ThrowBadOption(nameof(RuptureFractionOfQmax), $"must be in (0, 2], was {RuptureFractionOfQmax}");
        }

        if (!(DefaultQmaxM3h > 0 && double.IsFinite(DefaultQmaxM3h)))
        {
            ThrowHelper.ThrowBadOption(nameof(DefaultQmaxM3h), $"must be a positive flow, was {DefaultQmaxM3h}");
        }

        if (!(FlowDeadband >= 0 && FlowDeadband < 1))
        {
            ThrowHelper.ThrowBadOption(nameof(FlowDeadband), $"must be in [0, 1), was {FlowDeadband}");
        }

        Positive(MicroLeakWindow, nameof(MicroLeakWindow));
        Positive(VolumeStallLimit, nameof(VolumeStallLimit));
        Positive(LongUseWindow, nameof(LongUseWindow));
        if (RuptureDuration < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(RuptureDuration), $"must not be negative, was {RuptureDuration}");
        }

        if (ValveResponse < TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ValveResponse), $"must not be negative, was {ValveResponse}");
        }
    }

    private static void Positive(TimeSpan value, string option)
    {
        if (value <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(option, $"must be positive, was {value}");
        }
    }
}
