using Sensing.Detection.Charging;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="ChargerDetectorOptions"/>: section <c>charger</c>.</summary>
internal static class ChargerRules
{
    public static RuleRecord<ChargerDetectorOptions> Record { get; } =
        new RuleRecord<ChargerDetectorOptions>("charger",
            "EV chargers (kind ev-charger, OCPP 1.6): safety errors alert at once; Faulted or Unavailable too long is out of service.",
            static o => o.Validate())
        .Duration("outOfServiceAfter", o => o.OutOfServiceAfter, (o, v) => o with { OutOfServiceAfter = v },
            "How long a connector may stay Faulted or Unavailable before charger.out-of-service is raised; above 0.");
}
