using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>Per-device state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class FireDetectors
{
    /// <summary>
    /// Writes a fire device's state: the size of <see cref="FireDeviceState"/> (a layout check), the state, its
    /// latches and alert ids, its daily peaks, and for a fire-water pressure sensor its building's alert (every sensor of
    /// the building carries a copy, so whichever partition's checkpoint is restored brings it back).
    /// </summary>
    internal void WriteState(int n, StateWriter writer)
    {
        writer.WriteInt32(StateWriter.SizeOf<FireDeviceState>());
        writer.WriteStruct(in _state[n]);
        writer.WriteStruct(in _pressureLatches[n]);
        _smoke.WriteState(n, writer);
        _smokeFault.WriteState(n, writer);
        _residual.WriteState(n, writer);
        _temperature.WriteState(n, writer);
        _maintenance.WriteState(n, writer);
        for (var i = 0; i < ElectricalFireOptions.MaxTrendDays; i++)
        {
            writer.WriteInt64(BitConverter.DoubleToInt64Bits(_peaks[(n * ElectricalFireOptions.MaxTrendDays) + i]));
        }

        if (_resolvedFor[n] is { Kind: DeviceKind.FireWaterPressure })
        {
            _pressure.WriteState(_limits[n].Building, writer);
        }
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote; a record of another layout is skipped (the device starts afresh).</summary>
    internal void ReadState(int n, DeviceInfo device, ref StateReader reader)
    {
        if (reader.ReadInt32() != StateWriter.SizeOf<FireDeviceState>())
        {
            return;
        }

        Resolve(n, device);
        var restored = reader.ReadStruct<FireDeviceState>();
        _pressureLatches[n] = reader.ReadStruct<AlertLatch>();
        _smoke.ReadState(n, ref reader);
        _smokeFault.ReadState(n, ref reader);
        _residual.ReadState(n, ref reader);
        _temperature.ReadState(n, ref reader);
        _maintenance.ReadState(n, ref reader);
        for (var i = 0; i < ElectricalFireOptions.MaxTrendDays; i++)
        {
            _peaks[(n * ElectricalFireOptions.MaxTrendDays) + i] = BitConverter.Int64BitsToDouble(reader.ReadInt64());
        }

        if (device.Kind == DeviceKind.FireWaterPressure && reader.Remaining > 0)
        {
            _pressure.ReadState(_limits[n].Building, ref reader);
        }

        // Building counts are derived from the devices: take this device's old share out, the restored one in.
        ref var state = ref _state[n];
        var building = _limits[n].Building;
        if (building >= 0)
        {
            _smokeInAlarm[building] += (restored.InAlarm ? 1 : 0) - (state.InAlarm ? 1 : 0);
            _confirmers[building] += (restored.Confirming ? 1 : 0) - (state.Confirming ? 1 : 0);
            _lowPressureSensors[building] += (restored.CountedLow ? 1 : 0) - (state.CountedLow ? 1 : 0);
            if (restored.InAlarm)
            {
                _lastSmokeStartMs[building] = Math.Max(_lastSmokeStartMs[building], restored.AlarmSinceMs);
            }
        }

        state = restored;
        _nextDueMs = long.MinValue;
        NoteHeartbeatDeadlineOf(n);
    }
}
