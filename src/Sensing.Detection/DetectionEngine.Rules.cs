using Sensing.Detection.Internal;

namespace Sensing.Detection;

/// <summary>New options for a running engine, without losing what it has learned.</summary>
public sealed partial class DetectionEngine
{
    /// <summary>
    /// Replaces the options in force. Call it between readings, from the thread that calls <see cref="Process"/>.
    /// Every detector keeps its state: active alerts stay active under the same ids (a changed limit clears or
    /// escalates them only through the readings that follow), pending on-delays keep their start, baselines and
    /// windows keep what they learned. Every device and district takes its new limits at once; time-driven conditions
    /// (offline, out of service) are judged against the new limits at the next <see cref="AdvanceTo"/>. Options that
    /// lay out learned state (pipe-burst slot and period, night-flow baseline days, rain window and bucket) cannot
    /// change for a district that holds such state: those need a restart, which learns it again.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or one of the layout options above changed; it is named, and nothing is changed.
    /// </exception>
    public void Apply(DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rules = new DeviceRules(options);
        Water.CheckApply(rules);

        _rules = rules;
        Methane.Apply(rules);
        GasMeter.Apply(rules);
        Charger.Apply(rules);
        Health.Apply(rules);
        Water.Apply(rules);
        Fire.Apply(rules);
    }
}
