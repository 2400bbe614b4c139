using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>The district alert over the district's inlet meters, and resolving new devices.</summary>
public sealed partial class NightFlowDetector
{
    private void OnJudged(int index, bool flagged, long timeMs)
    {
        ref var meter = ref _meters[index];
        ref var district = ref _districts[meter.District];
        var k = meter.District;
        if (flagged == meter.Flagged)
        {
            district.Count += flagged ? 1 : 0;
            return;
        }

        if (flagged && !district.Active && _nights[k].DeferToInletLeak && _inletLeak is { } inletLeak && inletLeak.Models(index))
        {
            // The inlet-leak detector models this meter and judges the same leaks (NightFlowOptions.DeferToInletLeak):
            // no new alert, and the night is not marked, so one flagged while that detector learns again raises.
            return;
        }

        meter.Flagged = flagged;
        district.Flagged += flagged ? 1 : -1;
        if (flagged)
        {
            district.Count++;
            district.Peak = Math.Max(district.Peak, meter.LastMnf);
            if (!district.Active)
            {
                district.Active = true;
                district.RaisedAtMs = timeMs;
                // The nights that confirmed it count: the alert's count is the district's flagged nights.
                district.Count = meter.FlaggedNights;
                district.Peak = meter.LastMnf;
                _ids[k] = AlertId.Create(_network.DistrictName(k), AlertCondition.NightFlowRise, timeMs);
                ActiveCount++;
                Publish(AlertEventType.Raised, k, index, timeMs);
            }
            else
            {
                Publish(AlertEventType.Updated, k, index, timeMs);
            }

            return;
        }

        if (district.Active && district.Flagged == 0)
        {
            Publish(AlertEventType.Cleared, k, index, timeMs);
            district.Active = false;
            _ids[k] = null;
            ActiveCount--;
        }

    }

    private void Publish(AlertEventType type, int k, int index, long timeMs)
    {
        ref var meter = ref _meters[index];
        var devices = new List<string>();
        foreach (var m in _metersOfDistrict[k])
        {
            if (_meters[m].Flagged || (type == AlertEventType.Cleared && m == index))
            {
                devices.Add(_network.Registry[_network.DeviceOf(DeviceKind.WaterFlow, m)].Id);
            }
        }

        var name = _network.DistrictName(k);
        var id = _network.Registry[_network.DeviceOf(DeviceKind.WaterFlow, index)].Id;
        var rise = meter.LastBaseline > 0 ? (meter.LastMnf - meter.LastBaseline) / meter.LastBaseline * 100 : double.PositiveInfinity;
        _sink.OnAlert(new AlertEvent
        {
            Id = _ids[k]!,
            Type = type,
            Source = name,
            Condition = AlertCondition.NightFlowRise.Name(),
            Severity = AlertSeverity.Medium,
            District = name,
            RaisedAtMs = _districts[k].RaisedAtMs,
            // A step never precedes its raise: a reading that arrives late (after an outage) may be older than it.
            EventTimeMs = Math.Max(timeMs, _districts[k].RaisedAtMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, _districts[k].RaisedAtMs) : null,
            Value = meter.LastMnf,
            PeakValue = _districts[k].Peak,
            Count = _districts[k].Count,
            Devices = [.. devices],
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture,
                    $"Night flow back to normal in district {name}: MNF {meter.LastMnf:0.00} m3/h at {id} (baseline {meter.LastBaseline:0.00} m3/h)")
                : string.Create(CultureInfo.InvariantCulture,
                    $"Night flow risen in district {name}: MNF {meter.LastMnf:0.00} m3/h at {id}, {rise:0}% above the baseline {meter.LastBaseline:0.00} m3/h"),
        });
    }

    /// <summary>Throws when <paramref name="next"/> changes the baseline length of a district with inlet meters here.</summary>
    internal void CheckApply(WaterOptions[] next)
    {
        for (var k = 0; k < Math.Min(next.Length, _nights.Length); k++)
        {
            if (_metersOfDistrict[k].Count > 0 && next[k].NightFlow.BaselineDays != _nights[k].BaselineDays)
            {
                ThrowHelper.ThrowBadOption(
                    $"{nameof(DetectionOptions.Water)}.{nameof(WaterOptions.NightFlow)}.{nameof(NightFlowOptions.BaselineDays)}",
                    $"cannot change while the engine runs: the night-flow baselines of district {_network.DistrictName(k)} hold "
                    + $"{_nights[k].BaselineDays} days; restart to apply it (they are learned again)");
            }
        }
    }

    /// <summary>
    /// New options (checked, resolved by the network): every district takes its new window and gamma, from the next
    /// reading on; meters and alerts are kept. A new zone or window moves the night from the next judged day.
    /// </summary>
    internal void Apply()
    {
        for (var k = 0; k < _nights.Length; k++)
        {
            _nights[k] = Night.From(_network.OptionsOf(k).NightFlow);
        }
    }

    private void Resolve()
    {
        var districts = _network.DistrictCount;
        if (districts > _districts.Length)
        {
            var first = _districts.Length;
            Array.Resize(ref _districts, districts);
            Array.Resize(ref _ids, districts);
            Array.Resize(ref _nights, districts);
            for (var k = first; k < districts; k++)
            {
                _nights[k] = Night.From(_network.OptionsOf(k).NightFlow);
                _metersOfDistrict.Add([]);
            }
        }

        var count = _network.CountOf(DeviceKind.WaterFlow);
        var firstMeter = _meters.Length;
        if (count <= firstMeter)
        {
            return;
        }

        Array.Resize(ref _meters, count);
        for (var index = firstMeter; index < count; index++)
        {
            var number = _network.DeviceOf(DeviceKind.WaterFlow, index);
            var k = _network.DistrictOf(number);
            ref var meter = ref _meters[index];
            meter.District = k;
            meter.Day = long.MinValue;
            meter.Judged = true;
            meter.LastMnf = double.NaN;

            // Only a district inlet meter measures the district's inflow (DeviceParameters: role=inlet).
            meter.Inlet = _network.Registry[number].Parameters.Get("role", "dma") == "inlet";
            if (!meter.Inlet)
            {
                continue;
            }

            var days = _nights[k].BaselineDays;
            meter.BaselineOffset = _baselines.Length;
            Array.Resize(ref _baselines, _baselines.Length + days);
            _metersOfDistrict[k].Add(index);
        }
    }

    private struct District
    {
        public bool Active;
        public int Flagged;
        public int Count;
        public long RaisedAtMs;
        public double Peak;
    }
}
