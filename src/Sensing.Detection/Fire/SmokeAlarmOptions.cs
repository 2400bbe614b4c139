using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>
/// Smoke alarms (<see cref="Core.Devices.DeviceKind.SmokeAlarm"/>, GB 20517). A smoke alarm is a Critical alert: at
/// once when a second smoke alarm of the same building, or a methane or circuit-temperature alarm there, confirms it;
/// otherwise when it is still in alarm at the end of <see cref="VerificationWindow"/>. An alarm that clears within the
/// window (cooking smoke, steam) is counted as a nuisance alarm and not escalated, as alarm verification does.
/// </summary>
public sealed record SmokeAlarmOptions
{
    /// <summary>The defaults described on each property.</summary>
    public static SmokeAlarmOptions Default { get; } = new();

    /// <summary>
    /// How long, in event time, an unconfirmed alarm must last before it is raised. Default 60 s. Zero raises every
    /// alarm at once.
    /// </summary>
    // A choice, not a number from GB 20517: burnt toast and shower steam clear within a minute or two once a window is
    // opened or the hush button pressed, and a real fire's smoke does not; a second alarm or a temperature alarm
    // confirms a fire sooner. Operators who want no wait set 0.
    public TimeSpan VerificationWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A second alarm of the same building confirms the first only if it starts within this of the first's start.
    /// Default 10 min.
    /// </summary>
    // Smoke spreads from the room of origin to a neighbouring room or corridor within minutes; two alarms hours apart
    // are two events.
    public TimeSpan ConfirmationWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A smoke alarm heard from last this many heartbeat intervals (its registry report interval) ago is silent: a
    /// fault alert. Default 2; the every-device offline rule (<c>health.offlineAfterIntervals</c>) follows later.
    /// </summary>
    // GB 20517-2025 5.11.1: the alarm checks its battery at least every 24 h; NB-IoT alarms report at least at that
    // heartbeat, so two missed heartbeats are a dead or removed alarm, not radio loss.
    public double SilentAfterIntervals { get; init; } = 2;


    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (VerificationWindow < TimeSpan.Zero || VerificationWindow > TimeSpan.FromMinutes(30))
        {
            ThrowHelper.ThrowBadOption(nameof(VerificationWindow), $"must be 0 to 30 min, was {VerificationWindow}");
        }

        if (ConfirmationWindow <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowBadOption(nameof(ConfirmationWindow), $"must be positive, was {ConfirmationWindow}");
        }

        if (!(SilentAfterIntervals >= 1 && SilentAfterIntervals <= 100))
        {
            ThrowHelper.ThrowBadOption(nameof(SilentAfterIntervals), $"must be 1 to 100, was {SilentAfterIntervals}");
        }
    }
}
