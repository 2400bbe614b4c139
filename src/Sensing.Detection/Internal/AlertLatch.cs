using Sensing.Core.Alerts;

namespace Sensing.Detection.Internal;

/// <summary>What a latch step asks the owner to publish; several may come from one step.</summary>
[Flags]
internal enum LatchSteps : byte
{
    None = 0,
    /// <summary>The alert became active.</summary>
    Raised = 1,
    /// <summary>Still active; severity rose.</summary>
    Updated = 2,
    /// <summary>The alert cleared.</summary>
    Cleared = 4,
    /// <summary>The source chatters: its raises are suppressed for the hold-off, one chattering alert is raised.</summary>
    ChatterRaised = 8,
    /// <summary>The hold-off ended: the chattering alert clears.</summary>
    ChatterCleared = 16,
}

/// <summary>Phase of an <see cref="AlertLatch"/>.</summary>
internal enum LatchPhase : byte
{
    /// <summary>No alert, nothing pending.</summary>
    Normal,
    /// <summary>The condition holds; waiting out the on-delay.</summary>
    Pending,
    /// <summary>Alert raised and not yet cleared (silently so while <see cref="AlertLatch.Suppressed"/>).</summary>
    Active,
}

/// <summary>On-delay and off-delay of one latch, in event-time milliseconds (resolved per device or district).</summary>
internal readonly record struct LatchTiming(long OnDelayMs, long OffDelayMs);

/// <summary>Chattering rule of the alert lifecycle, in event-time milliseconds.</summary>
internal readonly record struct ChatterRule(int Raises, long WindowMs, long HoldOffMs);

/// <summary>
/// The alert lifecycle of one (source, condition), unmanaged so a detector keeps one per source in a flat array
/// (ISA-18.2 / EEMUA 191): one active alert at a time, on-delay, off-delay, count and peak, severity that only
/// rises while active, and chattering suppression. The caller applies its limit and deadband and says, per
/// reading, whether the value is <c>abnormal</c> (past the raise limit) or <c>normal</c> (back past the limit
/// minus the deadband); a value inside the deadband is neither and holds the current phase.
/// Ids are not kept here: <see cref="AlertTrack"/> keeps them beside the latches.
/// </summary>
internal struct AlertLatch
{
    public LatchPhase Phase;
    public AlertSeverity Severity;

    /// <summary>Active and waiting out the off-delay since <see cref="ClearingSinceMs"/>.</summary>
    public bool Clearing;

    /// <summary>Raised or active during a chattering hold-off: tracked, never published.</summary>
    public bool Suppressed;

    /// <summary>A chattering alert is active until <see cref="HoldOffUntilMs"/>.</summary>
    public bool Chattering;

    /// <summary>How many of <see cref="LastRaiseMs"/>, <see cref="PreviousRaiseMs"/>, <see cref="EarlierRaiseMs"/> are set.</summary>
    public byte RaisesKept;
    public int Count;
    public double Peak;
    public long PendingSinceMs;
    public long RaisedAtMs;
    public long ClearingSinceMs;
    public long LastRaiseMs;
    public long PreviousRaiseMs;
    public long EarlierRaiseMs;
    public long HoldOffUntilMs;
    public long ChatterSinceMs;

    /// <summary>True when an alert is active and published (not suppressed).</summary>
    public readonly bool IsActive => Phase == LatchPhase.Active && !Suppressed;

    /// <summary>
    /// One reading at <paramref name="timeMs"/>: <paramref name="abnormal"/> and <paramref name="normal"/> are the
    /// caller's limit tests (never both true); <paramref name="severity"/> is what the reading alone deserves.
    /// </summary>
    public LatchSteps Step(bool abnormal, bool normal, AlertSeverity severity, double value, long timeMs, LatchTiming timing, ChatterRule chatter)
    {
        var steps = LatchSteps.None;
        if (Chattering && timeMs >= HoldOffUntilMs)
        {
            // Hold-off over: the chattering alert clears and the condition starts afresh, so a condition that is
            // still true raises again through the on-delay instead of staying hidden.
            Chattering = false;
            steps |= LatchSteps.ChatterCleared;
            if (Suppressed)
            {
                Suppressed = false;
                Phase = LatchPhase.Normal;
            }
        }

        switch (Phase)
        {
            case LatchPhase.Normal when abnormal:
                Phase = LatchPhase.Pending;
                PendingSinceMs = timeMs;
                Count = 0;
                Peak = value;
                Severity = severity;
                goto case LatchPhase.Pending;
            case LatchPhase.Pending:
                if (!abnormal)
                {
                    Phase = LatchPhase.Normal;
                    return steps;
                }

                Count++;
                Peak = Math.Max(Peak, value);
                Severity = severity > Severity ? severity : Severity;
                if (timeMs - PendingSinceMs >= timing.OnDelayMs)
                {
                    steps |= Raise(timeMs, chatter);
                }

                return steps;
            case LatchPhase.Active:
                return steps | Track(abnormal, normal, severity, value, timeMs, timing);
            default:
                return steps;
        }
    }

    /// <summary>
    /// Time passes without a reading (event-time watermark at <paramref name="nowMs"/>): a pending condition whose
    /// on-delay ran out raises, with the raise time set to when the on-delay ended (so the id does not depend on
    /// when the watermark moved); a chattering hold-off that ended clears. For conditions reported only on change.
    /// </summary>
    public LatchSteps Advance(long nowMs, LatchTiming timing, ChatterRule chatter)
    {
        var steps = LatchSteps.None;
        if (Chattering && nowMs >= HoldOffUntilMs)
        {
            Chattering = false;
            steps |= LatchSteps.ChatterCleared;
            if (Suppressed)
            {
                Suppressed = false;
                Phase = LatchPhase.Normal;
            }
        }

        if (Phase == LatchPhase.Pending && nowMs - PendingSinceMs >= timing.OnDelayMs)
        {
            steps |= Raise(PendingSinceMs + timing.OnDelayMs, chatter);
        }

        return steps;
    }

    /// <summary>Raises at once (a condition with no limit test, e.g. a device declared offline).</summary>
    public LatchSteps ForceRaise(AlertSeverity severity, double value, long timeMs, ChatterRule chatter)
    {
        if (Phase == LatchPhase.Active)
        {
            Count++;
            return LatchSteps.None;
        }

        Phase = LatchPhase.Pending;
        PendingSinceMs = timeMs;
        Count = 1;
        Peak = value;
        Severity = severity;
        return Raise(timeMs, chatter);
    }

    /// <summary>Clears at once, without off-delay (e.g. a device heard from again).</summary>
    public LatchSteps ForceClear(long timeMs)
    {
        if (Phase != LatchPhase.Active)
        {
            Phase = LatchPhase.Normal;
            return LatchSteps.None;
        }

        Phase = LatchPhase.Normal;
        Clearing = false;
        ClearingSinceMs = timeMs;
        var wasSuppressed = Suppressed;
        Suppressed = false;
        return wasSuppressed ? LatchSteps.None : LatchSteps.Cleared;
    }

    private LatchSteps Track(bool abnormal, bool normal, AlertSeverity severity, double value, long timeMs, LatchTiming timing)
    {
        if (normal)
        {
            // Off-delay runs from the first normal reading (ISA-18.2).
            if (!Clearing)
            {
                Clearing = true;
                ClearingSinceMs = timeMs;
            }

            return timeMs - ClearingSinceMs >= timing.OffDelayMs ? ForceClear(timeMs) : LatchSteps.None;
        }

        // Inside the deadband or abnormal: the off-delay starts over.
        Clearing = false;
        if (!abnormal)
        {
            return LatchSteps.None;
        }

        Count++;
        Peak = Math.Max(Peak, value);

        // Severity only rises while active (latched until clear): a value hovering around a higher level gives one
        // Updated step, not one per crossing (EEMUA 191 chattering).
        if (severity <= Severity)
        {
            return LatchSteps.None;
        }

        Severity = severity;
        return Suppressed ? LatchSteps.None : LatchSteps.Updated;
    }

    private LatchSteps Raise(long raisedAtMs, ChatterRule chatter)
    {
        Phase = LatchPhase.Active;
        Clearing = false;
        RaisedAtMs = raisedAtMs;
        if (Chattering)
        {
            Suppressed = true;
            return LatchSteps.None;
        }

        // EEMUA 191 / DOMAIN.md: 3 or more raises of one (source, condition) within a minute is chattering. The
        // raise that completes the count is replaced by one chattering alert, and raises stay suppressed (tracked,
        // not published) for the hold-off. The window slides: the last three raise times are kept.
        var recent = 1;
        recent += RaisesKept > 0 && raisedAtMs - LastRaiseMs < chatter.WindowMs ? 1 : 0;
        recent += RaisesKept > 1 && raisedAtMs - PreviousRaiseMs < chatter.WindowMs ? 1 : 0;
        recent += RaisesKept > 2 && raisedAtMs - EarlierRaiseMs < chatter.WindowMs ? 1 : 0;
        EarlierRaiseMs = PreviousRaiseMs;
        PreviousRaiseMs = LastRaiseMs;
        LastRaiseMs = raisedAtMs;
        RaisesKept = (byte)Math.Min(RaisesKept + 1, 3);
        if (recent < chatter.Raises)
        {
            Suppressed = false;
            return LatchSteps.Raised;
        }

        RaisesKept = 0;
        Suppressed = true;
        Chattering = true;
        ChatterSinceMs = raisedAtMs;
        HoldOffUntilMs = raisedAtMs + chatter.HoldOffMs;
        return LatchSteps.ChatterRaised;
    }
}
