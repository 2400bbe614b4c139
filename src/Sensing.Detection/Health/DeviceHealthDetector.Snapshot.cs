using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Health;

/// <summary>Per-device state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class DeviceHealthDetector
{
    internal void WriteState(int deviceNumber, StateWriter writer)
    {
        // Heard: watched for offline (Release stops the watch until the device's next reading here).
        writer.WriteByte(_resolvedFor[deviceNumber] is null ? (byte)0 : (byte)1);
        writer.WriteInt64(_lastSeenMs[deviceNumber]);
        _battery.WriteState(deviceNumber, writer);
        _offline.WriteState(deviceNumber, writer);
        _skew.WriteState(deviceNumber, writer);
        writer.WriteInt64(_outageRaisedAtMs[deviceNumber]);
    }

    internal void ReadState(int deviceNumber, DeviceInfo device, ref StateReader reader)
    {
        // What this device counted towards its district's outage before is replaced by what the snapshot says.
        var district = DistrictNumber(device.District);
        Uncount(deviceNumber, _districtOf[deviceNumber]);
        var heard = reader.ReadByte() != 0;
        _lastSeenMs[deviceNumber] = reader.ReadInt64();
        _battery.ReadState(deviceNumber, ref reader);
        _offline.ReadState(deviceNumber, ref reader);
        _skew.ReadState(deviceNumber, ref reader);
        var outageRaisedAtMs = reader.ReadInt64();
        _districtOf[deviceNumber] = district;
        _outageRaisedAtMs[deviceNumber] = outageRaisedAtMs;
        Count(deviceNumber, district);
        if (!heard)
        {
            _resolvedFor[deviceNumber] = null;
            return;
        }

        Resolve(deviceNumber, device, countBadParameters: true);

        // Deadlines only move later, so a smaller bound stays a valid lower bound.
        NoteDeadline(deviceNumber, _lastSeenMs[deviceNumber] + _limits[deviceNumber].OfflineAfterMs);
    }

    private void Uncount(int n, int k)
    {
        ref var outage = ref _outages[k];
        if (_offline[n].IsActive)
        {
            outage.Offline--;
        }

        if (_outageRaisedAtMs[n] != 0)
        {
            outage.Members--;
            if (outage.Members == 0 && outage.Active)
            {
                // The snapshot's engine ended this outage (its devices were heard from there): no device joins it here
                // again. Count makes it active again, under its raise time, if a restored device is still in it.
                outage.Active = false;
                outage.Dirty = false;
                outage.FloorMs = Math.Max(outage.FloorMs, outage.RaisedAtMs + 1);
                ActiveOutages--;
            }
        }
    }

    /// <summary>Outage districts of <paramref name="deviceNumbers"/> (by number here), for <see cref="WriteDistrict"/>.</summary>
    internal List<int> DistrictsOf(ReadOnlySpan<int> deviceNumbers)
    {
        var districts = new List<int>();
        foreach (var n in deviceNumbers)
        {
            if ((uint)n < (uint)_resolvedFor.Length && (_resolvedFor[n] is not null || _outageRaisedAtMs[n] != 0)
                && (uint)_districtOf[n] < (uint)_outages.Length && !districts.Contains(_districtOf[n]))
            {
                districts.Add(_districtOf[n]);
            }
        }

        return districts;
    }

    /// <summary>
    /// What of district <paramref name="k"/>'s outage its devices' states do not hold: when a new outage may be raised
    /// (after the last one's clear), and the last step and pending update of the active one.
    /// </summary>
    internal void WriteDistrict(int k, StateWriter writer)
    {
        ref readonly var outage = ref _outages[k];
        writer.WriteString(_districtNames[k]);
        writer.WriteInt64(outage.FloorMs);
        writer.WriteInt64(outage.Active ? outage.PublishedAtMs : 0);
        writer.WriteByte(outage.Active && outage.Dirty ? (byte)1 : (byte)0);
    }

    /// <summary>Reads what <see cref="WriteDistrict"/> wrote, after the district's devices were restored (skipped when none was).</summary>
    internal void ReadDistrict(ref StateReader reader)
    {
        var name = reader.ReadString() ?? "";
        var floorMs = reader.ReadInt64();
        var publishedAtMs = reader.ReadInt64();
        var dirty = reader.ReadByte() != 0;
        if (!_districtNumbers.TryGetValue(name, out var k))
        {
            // None of its devices was restored here.
            return;
        }

        ref var outage = ref _outages[k];
        outage.FloorMs = floorMs;
        if (outage.Active)
        {
            outage.PublishedAtMs = Math.Max(outage.RaisedAtMs, publishedAtMs);
            outage.Dirty = dirty;
            _dirtyOutages |= dirty;
        }
    }

    // A restored member makes its district's outage active again under the same raise time, so the same id.
    private void Count(int n, int k)
    {
        ref var outage = ref _outages[k];
        if (_offline[n].IsActive)
        {
            outage.Offline++;
        }

        if (_outageRaisedAtMs[n] != 0)
        {
            outage.Members++;
            if (!outage.Active)
            {
                outage.Active = true;
                outage.RaisedAtMs = _outageRaisedAtMs[n];
                outage.PublishedAtMs = _outageRaisedAtMs[n];
                ActiveOutages++;
            }
        }
    }
}
