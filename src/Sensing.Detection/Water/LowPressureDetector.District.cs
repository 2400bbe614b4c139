using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>District alerts: one alert per district listing its low sensors (DOMAIN.md: group storms).</summary>
public sealed partial class LowPressureDetector
{
    private readonly List<List<int>> _sensorsOfDistrict = [];
    private District[] _districts = [];
    private string?[] _districtIds = [];

    /// <summary>True when district <paramref name="district"/> has an active district alert; gives its id.</summary>
    public bool TryGetDistrictAlert(string district, out string alertId)
    {
        for (var k = 0; k < _districts.Length; k++)
        {
            if (_districts[k].Active && _network.DistrictName(k) == district)
            {
                alertId = _districtIds[k]!;
                return true;
            }
        }

        alertId = "";
        return false;
    }

    private void RaiseDistrictAlert(int k, double mpa, long timeMs)
    {
        ref var district = ref _districts[k];
        district.Active = true;
        district.Dirty = false;
        district.Count = 1;
        district.RaisedAtMs = timeMs;
        district.PublishedAtMs = timeMs;
        var id = AlertId.Create(_network.DistrictName(k), AlertCondition.LowPressure, timeMs);
        _districtIds[k] = id;
        ActiveDistrictAlerts++;

        // Every sensor low right now makes up the incident; a device alert one of them already had is folded in.
        foreach (var index in _sensorsOfDistrict[k])
        {
            ref var sensor = ref _sensors[index];
            if (sensor.Phase != SensorPhase.Low)
            {
                continue;
            }

            sensor.InIncident = true;
            if (_deviceAlerts[index].IsActive)
            {
                var device = _network.Registry[_network.DeviceOf(DeviceKind.WaterPressure, index)];
                var steps = _deviceAlerts.ForceClear(index, timeMs);
                PublishDevice(steps, index, device, mpa, timeMs, string.Create(CultureInfo.InvariantCulture,
                    $"Service pressure at {device.Id}: now part of district alert {id} ({_network.DistrictName(k)})"));
            }
        }

        PublishDistrict(AlertEventType.Raised, k, mpa, timeMs);
    }

    private void JoinDistrictAlert(int index, long timeMs)
    {
        ref var sensor = ref _sensors[index];
        sensor.InIncident = true;
        _districts[sensor.District].Dirty = true;
        OnStillLow(sensor.District, timeMs);
    }

    private void OnStillLow(int k, long timeMs)
    {
        ref var district = ref _districts[k];
        if (!district.Active)
        {
            return;
        }

        district.Count++;
        if (district.Dirty && timeMs - district.PublishedAtMs >= _limits[k].UpdateIntervalMs)
        {
            district.Dirty = false;
            district.PublishedAtMs = timeMs;
            PublishDistrict(AlertEventType.Updated, k, double.NaN, timeMs);
        }
    }

    private void ClearDistrictAlert(int k, double mpa, long timeMs)
    {
        PublishDistrict(AlertEventType.Cleared, k, mpa, timeMs);
        foreach (var index in _sensorsOfDistrict[k])
        {
            _sensors[index].InIncident = false;
        }

        _districts[k].Active = false;
        _districtIds[k] = null;
        ActiveDistrictAlerts--;
    }

    private void PublishDistrict(AlertEventType type, int k, double mpa, long timeMs)
    {
        ref var district = ref _districts[k];
        var devices = new List<string>();
        var lowest = double.PositiveInfinity;
        foreach (var index in _sensorsOfDistrict[k])
        {
            if (_sensors[index].InIncident)
            {
                devices.Add(_network.Registry[_network.DeviceOf(DeviceKind.WaterPressure, index)].Id);
                lowest = Math.Min(lowest, _sensors[index].Lowest);
            }
        }

        var name = _network.DistrictName(k);
        var value = double.IsNaN(mpa) ? lowest : mpa;
        _sink.OnAlert(new AlertEvent
        {
            Id = _districtIds[k]!,
            Type = type,
            Source = name,
            Condition = ConditionName,
            Severity = AlertSeverity.High,
            District = name,
            RaisedAtMs = district.RaisedAtMs,
            // A step never precedes its raise: a reading that arrives late (after an outage) may be older than it.
            EventTimeMs = Math.Max(timeMs, district.RaisedAtMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, district.RaisedAtMs) : null,
            Value = value,
            PeakValue = lowest,
            Count = district.Count,
            Devices = [.. devices],
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture, $"Service pressure restored in district {name} ({devices.Count} sensors were low, lowest {lowest:0.000} MPa)")
                : string.Create(CultureInfo.InvariantCulture,
                    $"Low service pressure in district {name}: {devices.Count} sensors below {_limits[k].MinimumMpa:0.000} MPa (lowest {lowest:0.000} MPa)"),
        });
    }

    /// <summary>New options (the network resolved them): every district takes its new limits; sensor and alert state is kept.</summary>
    internal void Apply(ChatterRule chatter)
    {
        _deviceAlerts.Chatter = chatter;
        for (var k = 0; k < _limits.Length; k++)
        {
            _limits[k] = Limits.From(_network.OptionsOf(k).LowPressure);
        }
    }

    private void Resolve()
    {
        var districts = _network.DistrictCount;
        if (districts > _districts.Length)
        {
            var first = _districts.Length;
            Array.Resize(ref _districts, districts);
            Array.Resize(ref _districtIds, districts);
            Array.Resize(ref _limits, districts);
            for (var k = first; k < districts; k++)
            {
                _limits[k] = Limits.From(_network.OptionsOf(k).LowPressure);
                _sensorsOfDistrict.Add([]);
            }
        }

        var count = _network.CountOf(DeviceKind.WaterPressure);
        if (count > _sensors.Length)
        {
            var first = _sensors.Length;
            Array.Resize(ref _sensors, count);
            _deviceAlerts.EnsureCapacity(count);
            for (var index = first; index < count; index++)
            {
                var k = _network.DistrictOf(_network.DeviceOf(DeviceKind.WaterPressure, index));
                _sensors[index].District = k;
                _sensorsOfDistrict[k].Add(index);
            }
        }
    }

    private struct District
    {
        public bool Active;

        /// <summary>Sensors joined since the last published event.</summary>
        public bool Dirty;
        public int LowCount;
        public int Count;
        public long RaisedAtMs;
        public long PublishedAtMs;
    }
}
