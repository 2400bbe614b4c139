using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Feed.Auth;

namespace Sensing.Feed;

/// <summary>What an operator action came to.</summary>
public enum ActionOutcome
{
    /// <summary>The action's event is in Kafka and applied.</summary>
    Done,
    /// <summary>Already in the requested state (e.g. acknowledging an acknowledged alert): nothing published.</summary>
    Unchanged,
    /// <summary>No such alert.</summary>
    NotFound,
    /// <summary>The action does not apply to the alert's state (e.g. unshelving an alert that is not shelved).</summary>
    Conflict,
}

/// <summary>An action's outcome, the reason when it was refused, and the alert after it.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Problem">Why it was refused (for NotFound and Conflict).</param>
/// <param name="Alert">The alert after the action (null when not found).</param>
public sealed record ActionResult(ActionOutcome Outcome, string? Problem, AlertDetail? Alert);

/// <summary>What an outage acknowledgement did.</summary>
/// <param name="District">The district.</param>
/// <param name="Acknowledged">Ids of the alerts acknowledged now, one audit event each.</param>
/// <param name="AlreadyAcknowledged">Alerts of the outage that were acknowledged before.</param>
public sealed record OutageAcknowledgement(string District, IReadOnlyList<string> Acknowledged, int AlreadyAcknowledged);

/// <summary>
/// Acknowledge, shelve and unshelve (ISA-18.2), and report a leak repaired. Each action is audited as an <see cref="AlertEvent"/> naming the
/// actor, the time and the note, published to <c>sensing.alerts</c> before it counts: the feed's own state, and
/// every other instance's, comes from the topic. Actions run one at a time per instance, so two requests for
/// the same alert cannot both pass the state check.
/// </summary>
public sealed class AlertActions(AlertBoard board, AlertPublisher publisher, FeedOptions options, TimeProvider clock, FeedInstruments? instruments = null) : IDisposable
{
    /// <summary>Longest note.</summary>
    public const int MaxNoteLength = 1000;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Acknowledges the alert; acknowledging twice changes nothing. A cleared alert may be acknowledged.</summary>
    public Task<ActionResult> AcknowledgeAsync(string id, ApiKeyEntry caller, string? note, CancellationToken cancellationToken) =>
        ActAsync(id, cancellationToken, state => state.Acknowledged
            ? (null, null)
            : (state.Lifecycle with { Type = AlertEventType.Acknowledged, Actor = caller.Name, Note = note, ShelvedUntilMs = null }, null));

    /// <summary>
    /// Acknowledges every alert of <paramref name="district"/>'s outage (<see cref="AlertBoard.OutageGroup"/>): each
    /// one as <see cref="AcknowledgeAsync"/> does, so each is audited by its own event on <c>sensing.alerts</c> with
    /// the same actor and note. Null when the district has no outage alert. When Kafka fails part way, the alerts
    /// acknowledged before stay acknowledged and the exception says how many they were.
    /// </summary>
    public async Task<OutageAcknowledgement?> AcknowledgeOutageAsync(string district, ApiKeyEntry caller, string? note, CancellationToken cancellationToken)
    {
        if (board.OutageGroup(district) is not { } group)
        {
            return null;
        }

        var acknowledged = new List<string>();
        var unchanged = 0;
        foreach (var alert in group)
        {
            ActionResult result;
            try
            {
                result = await AcknowledgeAsync(alert.Id, caller, note, cancellationToken);
            }
            catch (AlertPublishException e)
            {
                throw new AlertPublishException($"{e.Message} (at {alert.Id}; {acknowledged.Count} of {group.Count} alerts of the outage acknowledged before)");
            }

            if (result.Outcome == ActionOutcome.Done)
            {
                acknowledged.Add(alert.Id);
            }
            else
            {
                unchanged++;
            }
        }

        return new OutageAcknowledgement(district, acknowledged, unchanged);
    }

    /// <summary>Shelves an active alert for <paramref name="duration"/>; the feed unshelves it when the time is up.</summary>
    public Task<ActionResult> ShelveAsync(string id, ApiKeyEntry caller, TimeSpan duration, string? note, CancellationToken cancellationToken)
    {
        if (duration < options.MinShelve || duration > options.MaxShelve)
        {
            throw new FeedRequestException("duration", $"must be {options.MinShelve.TotalSeconds:0} s to {options.MaxShelve.TotalHours:0} h, not {duration.TotalSeconds:0.###} s");
        }

        return ActAsync(id, cancellationToken, state =>
        {
            if (state.Lifecycle.Type == AlertEventType.Cleared)
            {
                return (null, "the alert is cleared: there is nothing to shelve");
            }

            if (state.Shelve is { } shelve)
            {
                var until = DateTimeOffset.FromUnixTimeMilliseconds(shelve.ShelvedUntilMs!.Value).ToString("u", CultureInfo.InvariantCulture);
                return (null, $"the alert is already shelved by {shelve.Actor} until {until}; unshelve it first");
            }

            return (state.Lifecycle with { Type = AlertEventType.Shelved, Actor = caller.Name, Note = note, ShelvedUntilMs = state.NowMs + (long)duration.TotalMilliseconds }, null);
        });
    }

    /// <summary>Ends a shelve early; an alert that is not shelved is a conflict.</summary>
    public Task<ActionResult> UnshelveAsync(string id, ApiKeyEntry caller, string? note, CancellationToken cancellationToken) =>
        ActAsync(id, cancellationToken, state => state.Shelve is { } shelve
            ? (state.Lifecycle with { Type = AlertEventType.Unshelved, Actor = caller.Name, Note = note, ShelvedUntilMs = shelve.ShelvedUntilMs }, null)
            : (null, "the alert is not shelved"));

    /// <summary>
    /// Reports the leak behind a water district alert (<c>water.inlet-leak</c>, <c>water.night-flow-rise</c>,
    /// <c>water.pipe-burst</c>) repaired, with a note saying what was done (required): audited like the other actions;
    /// the detector of the district learns its baseline again from then on. Reporting again is a new report.
    /// </summary>
    public Task<ActionResult> RepairedAsync(string id, ApiKeyEntry caller, string? note, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(note))
        {
            throw new FeedRequestException("note", "required: what was repaired, where");
        }

        return ActAsync(id, cancellationToken, state =>
            AlertConditions.TryParse(state.Lifecycle.Condition, out var condition)
                && condition is AlertCondition.InletLeak or AlertCondition.NightFlowRise or AlertCondition.PipeBurst
                ? (state.Lifecycle with { Type = AlertEventType.Repaired, Actor = caller.Name, Note = note, ShelvedUntilMs = null }, null)
                : (null, $"only a water leak alert (water.inlet-leak, water.night-flow-rise, water.pipe-burst) can be reported repaired, not {state.Lifecycle.Condition}"));
    }

    /// <inheritdoc />
    public void Dispose() => _oneAtATime.Dispose();

    private async Task<ActionResult> ActAsync(string id, CancellationToken cancellationToken, Func<AlertState, (AlertEvent? Event, string? Conflict)> decide)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (board.StateOf(id) is not { } current)
            {
                return new ActionResult(ActionOutcome.NotFound, $"no alert '{id}'", null);
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var (action, conflict) = decide(new AlertState(current.Lifecycle, current.Acknowledged, current.Shelve, now));
            if (conflict is not null)
            {
                return new ActionResult(ActionOutcome.Conflict, conflict, board.Find(id));
            }

            if (action is null)
            {
                return new ActionResult(ActionOutcome.Unchanged, null, board.Find(id));
            }

            action = action with { EventTimeMs = now };
            await publisher.PublishAsync(action, options.ActionTimeout, cancellationToken);
            instruments?.ActionPublished(action.Type);

            // Read-your-writes: apply now; the consumer's copy of the same event is a duplicate and changes nothing.
            board.Apply(action);
            return new ActionResult(ActionOutcome.Done, null, board.Find(id));
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private readonly record struct AlertState(AlertEvent Lifecycle, bool Acknowledged, AlertEvent? Shelve, long NowMs);
}
