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
