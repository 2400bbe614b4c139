using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>
/// District outages: when <see cref="DeviceHealthOptions.DistrictOfflineMinDevices"/> devices of one district are
/// offline at once (a cell tower, a concentrator or a gateway's network gone), the operator gets one
/// <see cref="AlertCondition.DeviceOffline"/> alert with the district as its source, listing the devices, instead
/// of one alert per device (DOMAIN.md: group storms). Device alerts already raised are folded into it; devices
/// going offline while it is active join it. It clears when fewer than half the threshold (rounded up) are still offline; those
/// get device alerts of their own again. Each engine groups the devices it processes; the telemetry is keyed by
/// district (docs/gateway.md), so with several processors a district's devices are all on one of them and it has one
/// outage alert.
/// <para>
/// A district's records are not in event-time order: after a broker or gateway outage the readings devices held back
/// arrive behind those of devices that never stopped, after the district's time has passed deadlines that they then
/// move back. A fold or an unfold stamps one device's time on others, so the time a deadline or a late reading asks
/// for can lie before the clear of the alert the same source had last. Raised there, the new alert would overlap the
/// old one: two ids for one silence. So every source (a device, a district) raises no earlier than its last alert's
/// clear and never under its id (<see cref="NotBeforeLastOffline"/>, <see cref="Outage.FloorMs"/>), and an outage
/// clears no earlier than its last step; what a late reading changes is then only how long an alert lasts.
/// </para>
/// </summary>
public sealed partial class DeviceHealthDetector
{
    private readonly Dictionary<string, int> _districtNumbers = new(StringComparer.Ordinal);
    private Outage[] _outages = [];
    private string[] _districtNames = [];

    // Per device: its district's number here, and the raise time of the outage alert it is part of (0: none).
    private int[] _districtOf;
    private long[] _outageRaisedAtMs;
    private bool _dirtyOutages;

    /// <summary>Districts with an active outage alert.</summary>
    public int ActiveOutages { get; private set; }

    /// <summary>True when <paramref name="district"/> has an active outage alert; gives its id and the devices in it.</summary>
    public bool TryGetOutage(string district, out string alertId, out int devices)
    {
        if (_districtNumbers.TryGetValue(district, out var k) && _outages[k].Active)
        {
            alertId = AlertId.Create(district, AlertCondition.DeviceOffline, _outages[k].RaisedAtMs);
            devices = _outages[k].Members;
            return true;
        }

        alertId = "";
        devices = 0;
        return false;
    }

    private int DistrictNumber(string district)
    {
        if (_districtNumbers.TryGetValue(district, out var k))
        {
            return k;
        }

        k = _districtNumbers.Count;
        _districtNumbers.Add(district, k);
        Array.Resize(ref _outages, k + 1);
        Array.Resize(ref _districtNames, k + 1);
        _districtNames[k] = district;
        _outages[k].MinDevices = _rules.ForDistrict(district).Health.DistrictOfflineMinDevices;
        _outages[k].Stream = NoStream;
        return k;
    }

    private void RaiseOffline(int n, DeviceInfo device, long timeMs, double value, bool byWill)
    {
        ref var outage = ref _outages[_districtOf[n]];
        if (_outageRaisedAtMs[n] != 0)
        {
            outage.Count++;
            return;
        }

        if (outage.Active)
        {
            Join(n, ref outage, timeMs);
            return;
        }

        // The device that makes the threshold raises the district alert instead of an alert of its own.
        if (outage.MinDevices > 0 && outage.Offline + 1 >= outage.MinDevices && _offline[n].Phase != LatchPhase.Active)
        {
            RaiseOutage(_districtOf[n], n, timeMs);
            return;
        }

        var raisedAtMs = NotBeforeLastOffline(n, timeMs);
        var steps = _offline.ForceRaise(n, AlertSeverity.Medium, value, raisedAtMs);
        PublishOffline(steps, n, device, raisedAtMs, byWill);
        if ((steps & LatchSteps.Raised) != 0)
        {
            outage.Offline++;
        }
    }

    private void ClearOffline(int n, DeviceInfo device, long timeMs)
    {
        var k = _districtOf[n];
        if (_outageRaisedAtMs[n] != 0)
        {
            _outageRaisedAtMs[n] = 0;
            ref var outage = ref _outages[k];
            outage.Members--;
            if (outage.Members < (outage.MinDevices + 1) / 2)
            {
                ClearOutage(k, timeMs);
            }
            else
            {
                MarkDirty(ref outage);
            }

            return;
        }

        var steps = _offline.ForceClear(n, timeMs);
        PublishOffline(steps, n, device, timeMs, byWill: false);
        if ((steps & LatchSteps.Cleared) != 0)
        {
            _outages[k].Offline--;
        }
    }

    // Device `threshold` makes the threshold: the district alert is raised, with it in it, at timeMs or, when the
    // district's last outage cleared later than that (a late reading moved this deadline back), at that clear.
    private void RaiseOutage(int k, int threshold, long timeMs)
    {
        ref var outage = ref _outages[k];
        timeMs = Math.Max(timeMs, outage.FloorMs);
        _outageRaisedAtMs[threshold] = timeMs;
        outage.Members++;
        outage.Active = true;
        outage.RaisedAtMs = timeMs;
        outage.PublishedAtMs = timeMs;
        outage.Dirty = false;
        outage.Count = outage.Members;
        ActiveOutages++;
        var id = AlertId.Create(_districtNames[k], AlertCondition.DeviceOffline, timeMs);

        // Every device alert of the district is folded in: cleared, saying which district alert it is now part of.
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_districtOf[n] == k && _resolvedFor[n] is { } device && _offline[n].IsActive)
            {
                var steps = _offline.ForceClear(n, timeMs);
                _offline.Publish(_sink, steps, n, device.Id, device.District, device.Kind.Name(), 0, timeMs,
                    $"{device.Id}: now part of district alert {id} ({_districtNames[k]})");
                outage.Offline--;
                _outageRaisedAtMs[n] = timeMs;
                outage.Members++;
                outage.Count++;
            }
        }

        PublishOutage(AlertEventType.Raised, k, timeMs);
    }

    private void Join(int n, ref Outage outage, long timeMs)
    {
        _outageRaisedAtMs[n] = outage.RaisedAtMs;
        outage.Members++;
        outage.Count++;
        MarkDirty(ref outage);
    }

    private void MarkDirty(ref Outage outage)
    {
        outage.Dirty = true;
        _dirtyOutages = true;
    }

    private void ClearOutage(int k, long timeMs)
    {
        ref var outage = ref _outages[k];

        // Not before the alert's last step (its raise or its last update): the reading that clears it may be one held
        // back, older than both, and a consumer keeping an alert's latest step by event time would keep it active.
        timeMs = Math.Max(timeMs, outage.PublishedAtMs);
        PublishOutage(AlertEventType.Cleared, k, timeMs);
        outage.Active = false;
        outage.Dirty = false;
        outage.FloorMs = Math.Max(timeMs, outage.RaisedAtMs + 1);
        ActiveOutages--;

        // The few still silent are device alerts again, raised as the district alert clears.
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_districtOf[n] == k && _outageRaisedAtMs[n] != 0)
            {
                _outageRaisedAtMs[n] = 0;
                outage.Members--;
                if (_resolvedFor[n] is { } device)
                {
                    var raisedAtMs = NotBeforeLastOffline(n, timeMs);
                    var steps = _offline.ForceRaise(n, AlertSeverity.Medium, 0, raisedAtMs);
                    PublishOffline(steps, n, device, raisedAtMs, byWill: false);
                    if ((steps & LatchSteps.Raised) != 0)
                    {
                        outage.Offline++;
                    }
                }
            }
        }
    }

    // The earliest a new offline alert of device n may be raised at timeMs: not before its last one cleared (a fold stamps
    // the district alert's raise on it, later than the device's own deadline) and not at that one's raise time, whose
    // id it would take again.
    private long NotBeforeLastOffline(int n, long timeMs)
    {
        ref readonly var last = ref _offline[n];
        return Math.Max(timeMs, Math.Max(last.ClearingSinceMs, last.RaisedAtMs + 1));
    }

    // Joins and returns are published as one update per district, a minute of event time after the last event at
    // the earliest, and stamped with that time rather than with how far the watermark has moved: of the districts
    // whose devices are on `stream` (NoStream: given none), by its time.
    private void PublishDirtyOutages(long nowMs, int stream)
    {
        var pending = false;
        for (var k = 0; k < _outages.Length; k++)
        {
            ref var outage = ref _outages[k];
            if (!outage.Dirty)
            {
                continue;
            }

            if (outage.Stream != stream)
            {
                pending = true;
                continue;
            }

            var dueMs = outage.PublishedAtMs + OutageUpdateIntervalMs;
            if (nowMs >= dueMs)
            {
                outage.Dirty = false;
                outage.PublishedAtMs = dueMs;
                PublishOutage(AlertEventType.Updated, k, dueMs);
            }
            else
            {
                pending = true;
            }
        }

        _dirtyOutages = pending;
    }

    private const long OutageUpdateIntervalMs = 60_000;

    private void PublishOutage(AlertEventType type, int k, long timeMs)
    {
        ref var outage = ref _outages[k];
        var name = _districtNames[k];
        var devices = new List<string>();
        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_districtOf[n] == k && _outageRaisedAtMs[n] != 0 && _resolvedFor[n] is { } device)
            {
                devices.Add(device.Id);
            }
        }

        _sink.OnAlert(new AlertEvent
        {
            Id = AlertId.Create(name, AlertCondition.DeviceOffline, outage.RaisedAtMs),
            Type = type,
            Source = name,
            Condition = AlertCondition.DeviceOffline.Name(),
            Severity = AlertSeverity.High,
            District = name,
            RaisedAtMs = outage.RaisedAtMs,
            // A step never precedes its raise: a reading that arrives late (after an outage) may be older than it.
            EventTimeMs = Math.Max(timeMs, outage.RaisedAtMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, outage.RaisedAtMs) : null,
            Value = devices.Count,
            PeakValue = devices.Count,
            Count = outage.Count,
            Devices = [.. devices],
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture, $"District {name}: devices heard from again ({devices.Count} still silent get their own alerts)")
                : string.Create(CultureInfo.InvariantCulture, $"District {name}: {devices.Count} devices offline at once (network, concentrator or gateway outage?)"),
        });
    }

    /// <summary>Outage state of one district; rebuilt from the devices' states on restore.</summary>
    private struct Outage
    {
        public int MinDevices;
        public bool Active;
        public bool Dirty;

        /// <summary>Devices of the district with an active device offline alert here.</summary>
        public int Offline;

        /// <summary>Devices in the active outage alert.</summary>
        public int Members;
        public int Count;
        public long RaisedAtMs;

        /// <summary>Event time of the alert's last step (raise or update); the clear is stamped no earlier.</summary>
        public long PublishedAtMs;

        /// <summary>The earliest a new outage alert may be raised: the last one's clear, and after its raise (its id).</summary>
        public long FloorMs;

        /// <summary>The input stream of the district's devices, whose time publishes its updates (NoStream: none).</summary>
        public int Stream;
    }
}
