using Sensing.Rules;

namespace Sensing.Processor;

/// <summary>
/// The rules file (<c>--rules</c>, docs/rules.md) while the processor runs: a <see cref="RulesWatcher"/> reads it in the
/// background; between batches the consume loop takes a change and applies it to the detection engine, which keeps
/// every detector's state. Each outcome is logged (with the keys that changed) and written to the store as a
/// <c>sensing_rules</c> point in the open batch, as is the file loaded at start.
/// </summary>
public sealed partial class TelemetryProcessor
{
    private RuleSet? _rules;
    private RulesWatcher? _rulesWatcher;

    // A sensing_rules point waits in the store's lines: the batch is sealed even when no record came in.
    private bool _rulesPointPending;

    /// <summary>The rules in force (null when the processor runs on options given in code).</summary>
    public RuleSet? Rules => _rules;

    private void StartRules()
    {
        if (_rules is not { } rules)
        {
            return;
        }

        _rulesWatcher = new RulesWatcher(rules, _options.RulesPollInterval);
        _log($"processor: rules {rules.File} (sha256 {rules.Sha256}): {rules.Settings.Count} keys set; read again when it changes");
        AppendRulesPoint("loaded", rules.File, rules.Sha256, rules.Settings.Count, rules.Settings.Count, WallClockMs());
        _rulesPointPending = true;
    }

    private void StopRules()
    {
        _rulesWatcher?.Dispose();
        _rulesWatcher = null;
    }

    // Between batches, on the consume thread: nothing of the engine runs meanwhile.
    private void ApplyRulesIfChanged()
    {
        if (_rulesWatcher is null || !_rulesWatcher.TryTake(out var change) || _rules is not { } inForce)
        {
            return;
        }

        if (change.Rules is not { } rules)
        {
            Reject(inForce, change.Sha256, change.Error!.Message, 0, 0);
            return;
        }

        var changes = rules.ChangesFrom(inForce);
        try
        {
            _engine.Apply(rules.Detection);
        }
        catch (ArgumentException e)
        {
            Reject(inForce, rules.Sha256, $"{rules.File}: {RulesFile.Describe(e)}", rules.Settings.Count, changes.Count);
            return;
        }

        _rules = rules;
        Counters.AddRulesApplied();
        var keys = changes.Count == 1 ? "key" : "keys";
        _log($"processor: rules {rules.File} applied (sha256 {rules.Sha256}), {changes.Count} {keys} changed{(changes.Count > 0 ? ": " : "")}{string.Join("; ", changes)}");
        AppendRulesPoint("applied", rules.File, rules.Sha256, rules.Settings.Count, changes.Count, WallClockMs());
        _rulesPointPending = true;
    }

    private void Reject(RuleSet inForce, string sha256, string problem, int keys, int changed)
    {
        Counters.AddRulesRejected();
        _log($"processor: rules not applied, those in force stay (sha256 {inForce.Sha256}): {problem}");
        AppendRulesPoint("rejected", inForce.File, sha256, keys, changed, WallClockMs());
        _rulesPointPending = true;
    }

    // A detecting processor beside a store sink writes nothing to the store; the sink, given the same file, writes the
    // sensing_rules points.
    private void AppendRulesPoint(string @event, string file, string sha256, int keys, int changed, long timeMs)
    {
        if (Stores)
        {
            _store.AppendRules(@event, file, sha256, keys, changed, timeMs);
        }
    }

    private static long WallClockMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
