using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.Detection.Gas;

/// <summary>Building the alert events; runs only on transitions, so it may allocate.</summary>
public sealed partial class MethaneDetector
{
    private static readonly string ConditionName = AlertCondition.MethaneHigh.Name();

    private void Publish(AlertEventType type, in State state, int deviceNumber, DeviceInfo device, double lel, int level, long timeMs)
    {
        _sink.OnAlert(new AlertEvent
        {
            Id = _alertIds[deviceNumber]!,
            Type = type,
            Source = device.Id,
            Condition = ConditionName,
            Severity = state.Severity,
            District = device.District,
            DeviceKind = device.Kind.Name(),
            RaisedAtMs = state.RaisedAtMs,
            EventTimeMs = timeMs,
            ClearedAtMs = type == AlertEventType.Cleared ? timeMs : null,
            Value = lel,
            PeakValue = state.Peak,
            Count = state.Count,
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture,
                    $"Methane {lel:0.0} %LEL at {device.Id}: cleared (below {_clearBelow:0.##} %LEL, peak {state.Peak:0.0} %LEL)")
                : string.Create(CultureInfo.InvariantCulture,
                    $"Methane {lel:0.0} %LEL at {device.Id} (level {level}, >= {(level >= 2 ? _level2 : _level1):0.##} %LEL)"),
        });
    }
}
