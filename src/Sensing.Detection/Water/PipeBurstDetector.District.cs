using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;

namespace Sensing.Detection.Water;

/// <summary>The district vote, the alert's lifecycle and its events.</summary>
public sealed partial class PipeBurstDetector
{
    private readonly List<List<int>> _pressureOfDistrict = [];
    private readonly List<List<int>> _flowOfDistrict = [];
    private Settings[] _settings = [];
    private District[] _districts = [];
    private string?[] _ids = [];

    private void OnTripChanged(ref Series series, bool isFlow, long timeMs)
    {
        ref var district = ref _districts[series.District];
        var delta = series.Tripped ? 1 : -1;
        if (isFlow)
        {
            district.TrippedFlow += delta;
        }
        else
        {
            district.TrippedPressure += delta;
        }

        if (series.Tripped)
        {
            series.TrippedAtMs = timeMs;
            series.InIncident |= district.Phase != BurstPhase.Normal;
        }
    }

    private void Vote(int k, long timeMs)
    {
        ref var district = ref _districts[k];
        ref readonly var settings = ref _settings[k];
        var anyTripped = district.TrippedFlow + district.TrippedPressure > 0;
        switch (district.Phase)
        {
            case BurstPhase.Normal when anyTripped && Agree(k, settings.AgreementMs, settings.PressureOnlyMinSensors):
                district.Phase = BurstPhase.Pending;
                district.PendingSinceMs = timeMs;
                goto case BurstPhase.Pending;
            case BurstPhase.Pending:
                if (!anyTripped || !Agree(k, settings.AgreementMs, settings.PressureOnlyMinSensors))
                {
                    district.Phase = BurstPhase.Normal;
                    MarkIncident(k, false);
                    return;
                }

                MarkIncident(k, true);
                if (timeMs - district.PendingSinceMs >= settings.OnDelayMs)
                {
                    district.Phase = BurstPhase.Active;
                    district.Clearing = false;
                    district.RaisedAtMs = timeMs;
                    district.Count = 1;
                    district.PeakCusum = 0;
                    _ids[k] = AlertId.Create(_network.DistrictName(k), AlertCondition.PipeBurst, timeMs);
                    ActiveCount++;
                    Publish(AlertEventType.Raised, k, timeMs);
                }

                return;
            case BurstPhase.Active:
                if (anyTripped)
                {
                    district.Clearing = false;
                    district.Count++;
                    return;
                }

                if (!district.Clearing)
                {
                    district.Clearing = true;
                    district.ClearingSinceMs = timeMs;
                }

                if (timeMs - district.ClearingSinceMs >= settings.OffDelayMs)
                {
                    Publish(AlertEventType.Cleared, k, timeMs);
                    district.Phase = BurstPhase.Normal;
                    MarkIncident(k, false);
                    _ids[k] = null;
                    ActiveCount--;
                }

                return;
            default:
                return;
        }
    }

    // The vote: an inlet flow trip and a pressure trip within the window of each other; without an inlet meter,
    // enough pressure trips within the window of one of them. Runs only while some CUSUM of the district is tripped.
    private bool Agree(int k, long windowMs, int pressureOnlyMinSensors)
    {
        var pressure = _pressureOfDistrict[k];
        var flow = _flowOfDistrict[k];
        if (flow.Count > 0)
        {
            foreach (var f in flow)
            {
                if (!_flow[f].Tripped)
                {
                    continue;
                }

                foreach (var p in pressure)
                {
                    if (_pressure[p].Tripped && Math.Abs(_pressure[p].TrippedAtMs - _flow[f].TrippedAtMs) <= windowMs)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        foreach (var p in pressure)
        {
            if (!_pressure[p].Tripped)
            {
                continue;
            }

            var near = 0;
            foreach (var q in pressure)
            {
                near += _pressure[q].Tripped && Math.Abs(_pressure[q].TrippedAtMs - _pressure[p].TrippedAtMs) <= windowMs ? 1 : 0;
            }

            if (near >= pressureOnlyMinSensors)
            {
                return true;
            }
        }

        return false;
    }

    private void MarkIncident(int k, bool tripped)
    {
        foreach (var p in _pressureOfDistrict[k])
        {
            _pressure[p].InIncident = tripped && (_pressure[p].InIncident || _pressure[p].Tripped);
        }

        foreach (var f in _flowOfDistrict[k])
        {
            _flow[f].InIncident = tripped && (_flow[f].InIncident || _flow[f].Tripped);
        }
    }

    private void Publish(AlertEventType type, int k, long timeMs)
    {
        var devices = new List<string>();
        // Value: the highest CUSUM of the incident's sensors now, in sigma; PeakValue: the highest seen at any event.
        var peak = 0.0;
        var pressureCount = 0;
        foreach (var f in _flowOfDistrict[k])
        {
            if (_flow[f].InIncident)
            {
                devices.Add(_network.Registry[_network.DeviceOf(DeviceKind.WaterFlow, f)].Id);
                peak = Math.Max(peak, _flow[f].Cusum);
            }
        }

        foreach (var p in _pressureOfDistrict[k])
        {
            if (_pressure[p].InIncident)
            {
                devices.Add(_network.Registry[_network.DeviceOf(DeviceKind.WaterPressure, p)].Id);
                peak = Math.Max(peak, _pressure[p].Cusum);
                pressureCount++;
            }
        }

        ref var district = ref _districts[k];
        district.PeakCusum = Math.Max(district.PeakCusum, peak);
        var name = _network.DistrictName(k);
        _sink.OnAlert(new AlertEvent
        {
            Id = _ids[k]!,
            Type = type,
            Source = name,
            Condition = ConditionName,
            Severity = AlertSeverity.High,
            District = name,
            RaisedAtMs = district.RaisedAtMs,
            // A step never precedes its raise: a reading that arrives late (after an outage) may be older than it.
            EventTimeMs = Math.Max(timeMs, district.RaisedAtMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, district.RaisedAtMs) : null,
            Value = peak,
            PeakValue = district.PeakCusum,
            Count = district.Count,
            Devices = [.. devices],
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture, $"Pipe burst in district {name}: cleared, every CUSUM back below the decision interval")
                : string.Create(CultureInfo.InvariantCulture,
                    $"Pipe burst suspected in district {name}: {devices.Count - pressureCount} inlet meter(s) up, {pressureCount} pressure sensor(s) down (CUSUM up to {peak:0.0} sigma)"),
        });
    }
}
