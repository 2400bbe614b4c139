using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Gas;

/// <summary>Resolving a meter's limits and building alert events and commands; runs on transitions only.</summary>
public sealed partial class GasMeterDetector
{
    /// <summary>New options: every meter resolved so far takes its new limits; latches and meter state are kept.</summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        var chatter = rules.Options.Lifecycle.ToRule();
        foreach (var track in (ReadOnlySpan<AlertTrack>)[_microLeak, _rupture, _longUse, _tamper, _valveFault])
        {
            track.Chatter = chatter;
        }

        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is { } device)
            {
                Resolve(n, device, countBadParameters: false);
            }
        }
    }

    private void Resolve(int deviceNumber, DeviceInfo device, bool countBadParameters)
    {
        var o = _rules.For(device).GasMeter;
        double qmax;
        try
        {
            qmax = device.Parameters.GetDouble("qmax", o.DefaultQmaxM3h);
        }
        catch (FormatException)
        {
            qmax = double.NaN;
        }

        // Negated so NaN fails too: a bad qmax is counted and the class default used, the meter still watched.
        if (!(qmax > 0 && double.IsFinite(qmax)))
        {
            _badParameters += countBadParameters ? 1 : 0;
            qmax = o.DefaultQmaxM3h;
        }

        var keep = 1 - o.FlowDeadband;
        var rupture = o.RuptureFractionOfQmax * qmax;
        _limits[deviceNumber] = new Limits
        {
            ZeroFlow = o.ZeroFlowM3h,
            LongUseFlow = o.LongUseMinFlowM3h,
            LongUseClearBelow = o.LongUseMinFlowM3h * keep,
            RuptureFlow = rupture,
            RuptureClearBelow = rupture * keep,
            VolumeStallMs = Ms(o.VolumeStallLimit),
            ValveResponseMs = Ms(o.ValveResponse),
            CloseValve = o.CloseValveOnRupture,
            MicroLeak = new LatchTiming(Ms(o.MicroLeakWindow), 0),
            LongUse = new LatchTiming(Ms(o.LongUseWindow), 0),
            Rupture = new LatchTiming(Ms(o.RuptureDuration), 0),
            Immediate = new LatchTiming(0, 0),
        };
        _resolvedFor[deviceNumber] = device;
    }

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;

    private void PublishFlow(AlertTrack track, LatchSteps steps, int deviceNumber, DeviceInfo device, double flow, long timeMs, double limit)
    {
        ref var latch = ref track[deviceNumber];
        var what = track.Condition switch
        {
            AlertCondition.MeterMicroLeak => "suspected micro-leak: flow never back to zero",
            AlertCondition.MeterLongUse => "long use: gas drawn without a break",
            _ => "suspected rupture: flow near Qmax",
        };
        var hours = (timeMs - latch.PendingSinceMs) / 3_600_000.0;
        var message = (steps & LatchSteps.Cleared) != 0
            ? string.Create(CultureInfo.InvariantCulture, $"Gas meter {device.Id}: {track.Condition.Name()} cleared at {flow:0.###} m3/h (peak {latch.Peak:0.###} m3/h)")
            : string.Create(CultureInfo.InvariantCulture, $"Gas meter {device.Id}: {what} ({flow:0.###} m3/h, limit {limit:0.###} m3/h, for {hours:0.##} h)");
        track.Publish(_alertSink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), flow, timeMs, message);
    }

    private void PublishTamper(LatchSteps steps, int deviceNumber, DeviceInfo device, uint bits, long timeMs)
    {
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"Gas meter {device.Id}: tamper and magnetic-interference bits cleared"
            : string.Create(CultureInfo.InvariantCulture, $"Gas meter {device.Id}: {((bits & Core.Telemetry.GasMeterAlarmBits.Tamper) != 0 ? "tamper (case opened or removed)" : "magnetic interference")}, alarm bits {bits}");
        _tamper.Publish(_alertSink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), bits, timeMs, message);
    }

    private void PublishValveFault(LatchSteps steps, int deviceNumber, DeviceInfo device, bool bitFault, long timeMs)
    {
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"Gas meter {device.Id}: valve fault cleared"
            : bitFault
                ? $"Gas meter {device.Id}: valve fault reported by the meter"
                : $"Gas meter {device.Id}: valve still open after a close command";
        _valveFault.Publish(_alertSink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), bitFault ? 1 : 0, timeMs, message);
    }

    private void CommandValveClosed(int deviceNumber, DeviceInfo device, double flow, long timeMs)
    {
        ref var meter = ref _meters[deviceNumber];
        meter.ValveCommandPending = true;
        meter.ValveCommandAtMs = timeMs;
        _commands++;
        if (_commandSink is null)
        {
            return;
        }

        _rupture.TryGetActive(deviceNumber, out var alertId, out _);
        _commandSink.OnCommand(new DeviceCommand
        {
            // Derived from the alert id, so a replay that re-derives the rupture repeats the same command id.
            Id = string.Concat("c-", alertId.AsSpan(2), "-", DeviceCommandNames.ValveClose),
            Device = device.Id,
            Command = DeviceCommandNames.ValveClose,
            IssuedAtMs = timeMs,
            AlertId = alertId,
            Reason = string.Create(CultureInfo.InvariantCulture, $"suspected rupture: {flow:0.###} m3/h at or above {_limits[deviceNumber].RuptureFlow:0.###} m3/h"),
        });
    }
}
