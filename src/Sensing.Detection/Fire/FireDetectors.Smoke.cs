using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>Smoke alarms: verification window, confirmation within a building, faults and silence.</summary>
public sealed partial class FireDetectors
{
    private const uint FaultBits = SmokeAlarmBits.Fault | SmokeAlarmBits.LowBattery | SmokeAlarmBits.Removed;

    private void ProcessSmoke(int n, DeviceInfo device, TelemetryFrame reading)
    {
        ref var state = ref _state[n];
        ref readonly var limits = ref _limits[n];
        var timeMs = reading.EventTimeMs;
        state.LastHeardMs = Math.Max(state.LastHeardMs, timeMs);
        NoteHeartbeatDeadline(n, state.LastHeardMs + limits.SilentMs);

        // A verification window that ran out before this reading raises at the moment it ran out, as AdvanceTo would.
        var due = _smoke.Advance(n, timeMs, new LatchTiming(limits.VerificationMs, 0));
        if (due != LatchSteps.None)
        {
            PublishSmoke(due, n, device, timeMs, null);
        }

        if (!reading.TryGet(Metric.AlarmBits, out var value) || !GasMeterBitsOf(value, out var bits))
        {
            // A heartbeat without a status word: heard from, so a silence fault clears.
            ClearSilentFault(n, device, timeMs);
            return;
        }

        var faultSteps = _smokeFault.Step(n, (bits & FaultBits) != 0, (bits & FaultBits) == 0, AlertSeverity.Medium, bits, timeMs, default);
        if (faultSteps != LatchSteps.None)
        {
            Publish(_smokeFault, faultSteps, n, device, bits, timeMs, FaultMessage(device, bits, faultSteps));
        }

        var test = (bits & SmokeAlarmBits.Test) != 0;
        var alarm = (bits & SmokeAlarmBits.Alarm) != 0 && !test;
        if (test && (bits & SmokeAlarmBits.Alarm) != 0 && !state.InAlarm)
        {
            TestAlarms++;
        }

        if (alarm && !state.InAlarm)
        {
            StartAlarm(n, device, timeMs);
        }
        else if (!alarm && state.InAlarm)
        {
            EndAlarm(n, device, timeMs);
        }
    }

    private void StartAlarm(int n, DeviceInfo device, long timeMs)
    {
        ref var state = ref _state[n];
        ref readonly var limits = ref _limits[n];
        var building = limits.Building;
        state.InAlarm = true;
        state.AlarmSinceMs = timeMs;

        // Confirmed by another smoke alarm of the building that started within the confirmation window and is still in
        // alarm, or by a methane or circuit-temperature alert there.
        var confirmed = (_smokeInAlarm[building] > 0 && timeMs - _lastSmokeStartMs[building] <= limits.ConfirmationMs) || _confirmers[building] > 0;
        _smokeInAlarm[building]++;
        _lastSmokeStartMs[building] = timeMs;
        if (confirmed || limits.VerificationMs == 0)
        {
            var steps = _smoke.ForceRaise(n, AlertSeverity.Critical, 1, timeMs);
            PublishSmoke(steps, n, device, timeMs, confirmed ? _buildingNames[building] : null);
            if (confirmed)
            {
                ConfirmPending(building, device.Id, timeMs);
            }

            return;
        }

        // Wait out the verification window (on-delay): AdvanceTo or a later reading raises it.
        _smoke.Step(n, abnormal: true, normal: false, AlertSeverity.Critical, 1, timeMs, new LatchTiming(limits.VerificationMs, 0));
        _nextDueMs = Math.Min(_nextDueMs, timeMs + limits.VerificationMs);
    }

    private void EndAlarm(int n, DeviceInfo device, long timeMs)
    {
        ref var state = ref _state[n];
        state.InAlarm = false;
        _smokeInAlarm[_limits[n].Building]--;
        ref var latch = ref _smoke[n];
        if (latch.Phase == LatchPhase.Pending)
        {
            // Cleared within the verification window and never confirmed: a nuisance alarm, recorded, not escalated.
            latch.Phase = LatchPhase.Normal;
            NuisanceAlarms++;
            return;
        }

        // Alarms report on change: the clear report is final, no off-delay to wait for.
        var steps = _smoke.ForceClear(n, timeMs);
        if (steps != LatchSteps.None)
        {
            PublishSmoke(steps, n, device, timeMs, null);
        }
    }

    /// <summary>Raises at once every smoke alarm of <paramref name="building"/> still waiting out its verification window.</summary>
    private void ConfirmPending(int building, string by, long timeMs)
    {
        for (var n = 0; n < _state.Length; n++)
        {
            if (_state[n].InAlarm && _smoke[n].Phase == LatchPhase.Pending && _limits[n].Building == building && _resolvedFor[n] is { } device)
            {
                var steps = _smoke.ForceRaise(n, AlertSeverity.Critical, 1, timeMs);
                PublishSmoke(steps, n, device, timeMs, by);
            }
        }
    }

    /// <summary>
    /// Event time reached <paramref name="nowMs"/>: smoke alarms whose verification window ran out are raised, and smoke
    /// alarms given no input stream silent past their heartbeat allowance get a fault alert (those given one are judged
    /// by <see cref="AdvanceStream"/>), each at the moment it became due.
    /// </summary>
    internal void Advance(long nowMs)
    {
        if (nowMs < _nextDueMs)
        {
            return;
        }

        var next = RaiseSilent(nowMs, NoStream);
        for (var n = 0; n < _state.Length; n++)
        {
            if (_resolvedFor[n] is not { Kind: DeviceKind.SmokeAlarm } device || _smoke[n].Phase != LatchPhase.Pending)
            {
                continue;
            }

            ref readonly var limits = ref _limits[n];
            var steps = _smoke.Advance(n, nowMs, new LatchTiming(limits.VerificationMs, 0));
            if (steps != LatchSteps.None)
            {
                PublishSmoke(steps, n, device, _smoke[n].RaisedAtMs, null);
            }
            else
            {
                next = Math.Min(next, _smoke[n].PendingSinceMs + limits.VerificationMs);
            }
        }

        _nextDueMs = next;
    }

    // Smoke alarms of `stream` (NoStream: of none) silent past their heartbeat allowance at nowMs: a fault alert each,
    // raised at its deadline. Returns the earliest deadline still to come of what it scanned.
    private long RaiseSilent(long nowMs, int stream)
    {
        var next = long.MaxValue;
        for (var n = 0; n < _state.Length; n++)
        {
            if (_resolvedFor[n] is not { Kind: DeviceKind.SmokeAlarm } device || StreamOf(n) != stream)
            {
                continue;
            }

            ref readonly var state = ref _state[n];
            if (state.LastHeardMs == 0 || _smokeFault[n].Phase == LatchPhase.Active)
            {
                continue;
            }

            ref readonly var limits = ref _limits[n];
            var silentAt = state.LastHeardMs + limits.SilentMs;
            if (nowMs >= silentAt)
            {
                var steps = _smokeFault.ForceRaise(n, AlertSeverity.Medium, 0, silentAt);
                Publish(_smokeFault, steps, n, device, 0, silentAt, string.Create(CultureInfo.InvariantCulture,
                    $"Smoke alarm {device.Id}: silent for {limits.SilentMs / 3_600_000.0:0.#} h ({device.ReportIntervalSeconds / 3600.0:0.#} h heartbeat)"));
            }
            else
            {
                next = Math.Min(next, silentAt);
            }
        }

        return next;
    }

    private void ClearSilentFault(int n, DeviceInfo device, long timeMs)
    {
        if (_smokeFault[n].Phase == LatchPhase.Active)
        {
            var steps = _smokeFault.Step(n, abnormal: false, normal: true, AlertSeverity.Medium, 0, timeMs, default);
            Publish(_smokeFault, steps, n, device, 0, timeMs, $"Smoke alarm {device.Id}: heard from again");
        }
    }

    private void PublishSmoke(LatchSteps steps, int n, DeviceInfo device, long timeMs, string? confirmedBy)
    {
        var building = _buildingNames[_limits[n].Building];
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"Smoke alarm {device.Id} in {building}: alarm cleared"
            : confirmedBy is not null
                ? $"Smoke alarm {device.Id} in {building}: FIRE confirmed by {confirmedBy}; dispatch"
                : string.Create(CultureInfo.InvariantCulture,
                    $"Smoke alarm {device.Id} in {building}: in alarm for {(timeMs - _state[n].AlarmSinceMs) / 1000} s, not cleared within verification; dispatch");
        Publish(_smoke, steps, n, device, 1, timeMs, message);
    }

    private static string FaultMessage(DeviceInfo device, uint bits, LatchSteps steps)
    {
        if ((steps & LatchSteps.Cleared) != 0)
        {
            return $"Smoke alarm {device.Id}: fault cleared";
        }

        var what = (bits & SmokeAlarmBits.Removed) != 0 ? "removed from its base"
            : (bits & SmokeAlarmBits.Fault) != 0 ? "fault (self-test failed)" : "low battery";
        return $"Smoke alarm {device.Id}: {what}";
    }

    // The status word is a whole-number bit field like the gas meter's; the same check reads it.
    private static bool GasMeterBitsOf(double value, out uint bits) => GasMeterAlarmBits.TryRead(value, out bits);
}
