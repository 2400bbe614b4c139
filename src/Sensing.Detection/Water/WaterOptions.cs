using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Configuration of the water-network detectors: one record per detector, each applying to one device class
/// (pressure sensors, inlet flow meters, reservoir gauges, rain gauges), plus whole-record overrides per district.
/// Overrides are resolved once per device when the engine is built (and when new devices are registered), never
/// per reading.
/// </summary>
public sealed record WaterOptions
{
    /// <summary>Every water detector with its defaults (DOMAIN.md, "Water").</summary>
    public static WaterOptions Default { get; } = new();

    /// <summary>Low service pressure on <see cref="Core.Devices.DeviceKind.WaterPressure"/> sensors.</summary>
    public LowPressureOptions LowPressure { get; init; } = LowPressureOptions.Default;

    /// <summary>Pipe burst: CUSUM on pressure and inlet-flow residuals per district.</summary>
    public PipeBurstOptions PipeBurst { get; init; } = PipeBurstOptions.Default;

    /// <summary>Minimum-night-flow rise on district inlet flow meters.</summary>
    public NightFlowOptions NightFlow { get; init; } = NightFlowOptions.Default;

    /// <summary>Reservoir level warning colours.</summary>
    public ReservoirLevelOptions ReservoirLevel { get; init; } = ReservoirLevelOptions.Default;

    /// <summary>Heavy rain on rain gauges.</summary>
    public HeavyRainOptions HeavyRain { get; init; } = HeavyRainOptions.Default;

    /// <summary>
    /// Per-district replacements of this whole record, keyed by district name (as in the registry). A district not
    /// listed uses this record. An override's own <see cref="Districts"/> must be empty.
    /// </summary>
    public IReadOnlyDictionary<string, WaterOptions> Districts { get; init; } = new Dictionary<string, WaterOptions>(StringComparer.Ordinal);

    /// <summary>The options in force for <paramref name="district"/>.</summary>
    public WaterOptions For(string district) => Districts.TryGetValue(district, out var own) ? own : this;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        ValidateRecords();
        ArgumentNullException.ThrowIfNull(Districts, nameof(Districts));
        foreach (var (district, options) in Districts)
        {
            if (options is null)
            {
                ThrowHelper.ThrowBadOption($"{nameof(Districts)}[{district}]", "must not be null");
            }

            if (options.Districts.Count > 0)
            {
                ThrowHelper.ThrowBadOption($"{nameof(Districts)}[{district}].{nameof(Districts)}", "a district override cannot hold further district overrides");
            }

            try
            {
                options.ValidateRecords();
            }
            catch (ArgumentException e)
            {
                // Re-thrown under the override's path; the inner message is "Option: problem (Parameter 'Option')".
                var problem = e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                problem = problem.StartsWith($"{e.ParamName}: ", StringComparison.Ordinal) ? problem[(e.ParamName!.Length + 2)..] : problem;
                ThrowHelper.ThrowBadOption($"{nameof(Districts)}[{district}].{e.ParamName}", problem);
            }
        }
    }

    private void ValidateRecords()
    {
        ArgumentNullException.ThrowIfNull(LowPressure, nameof(LowPressure));
        ArgumentNullException.ThrowIfNull(PipeBurst, nameof(PipeBurst));
        ArgumentNullException.ThrowIfNull(NightFlow, nameof(NightFlow));
        ArgumentNullException.ThrowIfNull(ReservoirLevel, nameof(ReservoirLevel));
        ArgumentNullException.ThrowIfNull(HeavyRain, nameof(HeavyRain));
        LowPressure.Validate();
        PipeBurst.Validate();
        NightFlow.Validate();
        ReservoirLevel.Validate();
        HeavyRain.Validate();
    }
}
