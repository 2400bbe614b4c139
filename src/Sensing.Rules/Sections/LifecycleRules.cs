using Sensing.Detection;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>Keys of <see cref="AlertLifecycleOptions"/>: section <c>lifecycle</c>.</summary>
internal static class LifecycleRules
{
    public static RuleRecord<AlertLifecycleOptions> Record { get; } =
        new RuleRecord<AlertLifecycleOptions>("lifecycle",
            "Alert lifecycle every detector shares: chattering suppression (EEMUA 191). The city's: no override entry changes it.",
            static o => o.Validate())
        .WholeNumber("chatterRaises", o => o.ChatterRaises, (o, v) => o with { ChatterRaises = v },
            "Raises of one source and condition within chatterWindow that make it chattering (EEMUA 191: 3 in 1 min); 2-4.")
        .Duration("chatterWindow", o => o.ChatterWindow, (o, v) => o with { ChatterWindow = v },
            "The sliding window those raises are counted in, event time; above 0.")
        .Duration("chatterHoldOff", o => o.ChatterHoldOff, (o, v) => o with { ChatterHoldOff = v },
            "How long further raises of a chattering source stay suppressed (one chattering alert instead); above 0.");
}
