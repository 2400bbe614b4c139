using System.Globalization;
using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>Resolving a device's limits and building alert events; runs on transitions only.</summary>
public sealed partial class DeviceHealthDetector
{
    /// <summary>
    /// New options: every watched device takes its new limits, every district its outage threshold, and the next
    /// <see cref="Advance"/> looks at every device again (an offline deadline may have moved either way). Latches and
    /// outages are kept.
    /// </summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        var chatter = rules.Options.Lifecycle.ToRule();
        _battery.Chatter = chatter;
        _offline.Chatter = chatter;
        _skew.Chatter = chatter;
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is { } device)
            {
                Resolve(n, device, countBadParameters: false);
            }
        }

        for (var k = 0; k < _districtNames.Length; k++)
        {
            _outages[k].MinDevices = rules.ForDistrict(_districtNames[k]).Health.DistrictOfflineMinDevices;
        }

        _nextDueMs = long.MinValue;
        _streams.RescanAll();
    }

    private void Resolve(int deviceNumber, DeviceInfo device, bool countBadParameters)
    {
        var o = _rules.For(device).Health;
        double low;
        try
        {
            low = device.Parameters.GetDouble("low_battery_v", o.LowBatteryVolts);
        }
        catch (FormatException)
        {
            low = double.NaN;
        }

        // Negated so NaN fails too: a bad parameter is counted and the class level used, the device still watched.
        if (!(low > 0 && low < 100))
        {
            _badParameters += countBadParameters ? 1 : 0;
            low = o.LowBatteryVolts;
        }

        _limits[deviceNumber] = new Limits
        {
            LowVolts = low,
            ClearVolts = low + o.BatteryDeadbandVolts,
            OfflineAfterMs = (long)(o.OfflineAfterIntervals * device.ReportIntervalSeconds * 1000),
            SkewLimitMs = (long)o.ClockSkewLimit.TotalMilliseconds,
            Battery = new LatchTiming((long)o.LowBatteryOnDelay.TotalMilliseconds, 0),
            Skew = new LatchTiming((long)o.ClockSkewOnDelay.TotalMilliseconds, 0),
        };
        _resolvedFor[deviceNumber] = device;
        var district = _districtOf[deviceNumber] = DistrictNumber(device.District);
        if (_streams.StreamOf(deviceNumber) is var stream and not NoStream)
        {
            // Told its stream before it was heard (AssignStream).
            _outages[district].Stream = stream;
        }
    }

    private void PublishBattery(LatchSteps steps, int deviceNumber, DeviceInfo device, double volts, long timeMs)
    {
        var low = _limits[deviceNumber].LowVolts;
        var message = (steps & LatchSteps.Cleared) != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{device.Id}: battery back to {volts:0.00} V (lowest {_battery.Peak(deviceNumber):0.00} V)")
            : string.Create(CultureInfo.InvariantCulture, $"{device.Id}: battery low, {volts:0.00} V below {low:0.00} V");
        _battery.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), volts, timeMs, message);
    }

    private void PublishSkew(LatchSteps steps, int deviceNumber, DeviceInfo device, long skewMs, long ingestMs)
    {
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"{device.Id}: clock back within limits"
            : string.Create(CultureInfo.InvariantCulture, $"{device.Id}: device clock {skewMs / 1000.0:0} s off the gateway's (limit {_limits[deviceNumber].SkewLimitMs / 1000} s)");
        _skew.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), skewMs / 1000.0, ingestMs, message);
    }

    private void PublishOffline(LatchSteps steps, int deviceNumber, DeviceInfo device, long timeMs, bool byWill)
    {
        if (steps == LatchSteps.None)
        {
            return;
        }

        var after = _limits[deviceNumber].OfflineAfterMs / 1000.0;
        var message = (steps & LatchSteps.Cleared) != 0
            ? $"{device.Id}: heard from again"
            : byWill
                ? $"{device.Id}: connection lost (MQTT will or dropped connection)"
                : string.Create(CultureInfo.InvariantCulture, $"{device.Id}: no message for {after:0} s ({after / device.ReportIntervalSeconds:0.#} x report interval {device.ReportIntervalSeconds} s)");
        _offline.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), byWill ? 0 : after, timeMs, message);
    }
}
