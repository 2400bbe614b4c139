using Sensing.Core.Alerts;
using Sensing.Rules.Schema;

namespace Sensing.Rules.Sections;

/// <summary>
/// Keys of <see cref="AlertResponses"/>: section <c>responses</c>, one key per alert condition (its dotted name) and
/// per severity variant, each holding the text the feed shows with the alert (docs/rules.md, "responses").
/// </summary>
internal static class ResponseRules
{
    public static RuleRecord<AlertResponses> Record { get; } = Build();

    private static RuleRecord<AlertResponses> Build()
    {
        var record = new RuleRecord<AlertResponses>("responses",
            "What the operator does about each alert: the feed shows the text with the alert (API field response, console detail). One key "
            + "per condition; a key with a severity (gas.methane-high.critical) wins over the condition's own at that severity. Placeholders "
            + "the feed fills from the alert: " + string.Join(", ", AlertResponses.Placeholders.Select(p => "{" + p + "}"))
            + ". Set for the city or in a district's entry.",
            static o => o.Validate());
        foreach (var key in AlertResponses.Keys)
        {
            record.Text(key, o => o.Text(key), (o, v) => o.With(key, v), AlertResponses.Describe(key));
        }

        return record;
    }
}
