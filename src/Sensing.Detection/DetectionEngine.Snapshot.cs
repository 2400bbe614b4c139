using System.Buffers;
using Sensing.Core.Devices;
using Sensing.Detection.Gas;
using Sensing.Detection.Internal;
using Sensing.Detection.Water;

namespace Sensing.Detection;

/// <summary>
/// Snapshots of per-device state, so a processor can checkpoint the state together with the offsets it reflects
/// and another engine (after a restart or a rebalance) can carry on where this one stopped.
/// </summary>
public sealed partial class DetectionEngine
{
    /// <summary>Format version of <see cref="WriteSnapshot"/>; <see cref="RestoreSnapshot"/> refuses any other.</summary>
    public const byte SnapshotVersion = 4;

    // Version 3 is version 4 without the device-health district records; it is still read.
    private const byte SnapshotVersionWithoutHealthDistricts = 3;

    private readonly ArrayBufferWriter<byte> _deviceRecord = new(256);

    /// <summary>
    /// Writes the state of the given devices: the last sequence number, device health, and each detector's latches,
    /// alert ids and per-device state (methane, gas meter, charger, and the water detectors' baselines, CUSUMs and
    /// windows), then the state of the water districts of the given pressure sensors and flow meters (district
    /// alerts, the burst vote), then of the devices' outage districts (DeviceHealthDetector.District.cs). Layout:
    /// version byte, the sizes of the copied structs (a layout check), the device count, then per device its record's
    /// length and the record (device id, kind, state), then the water district count and per district its record's
    /// length and the record (district name, state), then the same for the outage districts, so a reader can skip
    /// devices and districts it no longer knows.
    /// </summary>
    public void WriteSnapshot(ReadOnlySpan<int> deviceNumbers, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StateWriter(output);
        writer.WriteByte(SnapshotVersion);
        writer.WriteInt32(StateWriter.SizeOf<AlertLatch>());
        writer.WriteInt32(GasMeterDetector.StateSize);
        var waterLayout = WaterDetectors.Layout;
        writer.WriteInt32(waterLayout.Length);
        foreach (var size in waterLayout)
        {
            writer.WriteInt32(size);
        }

        writer.WriteInt32(deviceNumbers.Length);
        foreach (var number in deviceNumbers)
        {
            WriteDevice(number, BeginRecord());
            EndRecord(writer, output);
        }

        var districts = Water.DistrictsOf(deviceNumbers);
        writer.WriteInt32(districts.Count);
        foreach (var district in districts)
        {
            Water.WriteDistrict(district, BeginRecord());
            EndRecord(writer, output);
        }

        var outageDistricts = Health.DistrictsOf(deviceNumbers);
        writer.WriteInt32(outageDistricts.Count);
        foreach (var district in outageDistricts)
        {
            Health.WriteDistrict(district, BeginRecord());
            EndRecord(writer, output);
        }
    }

    // A record of the snapshot (a device, a district) is written to _deviceRecord first, then its length and bytes to
    // the snapshot, so a reader can skip what it no longer knows.
    private StateWriter BeginRecord()
    {
        _deviceRecord.ResetWrittenCount();
        return new StateWriter(_deviceRecord);
    }

    private void EndRecord(StateWriter writer, IBufferWriter<byte> output)
    {
        writer.WriteInt32(_deviceRecord.WrittenCount);
        output.Write(_deviceRecord.WrittenSpan);
    }

    /// <summary>
    /// Replaces the state of every device and water district in <paramref name="snapshot"/> (written by
    /// <see cref="WriteSnapshot"/>) and adds the devices' numbers to <paramref name="restored"/>. Devices no longer in
    /// the registry, or registered under another kind since, and districts without a water device in the registry are
    /// skipped. Returns the number of devices restored.
    /// </summary>
    /// <exception cref="InvalidDataException">Another format version or struct layout, or a truncated record list (nothing is changed then).</exception>
    public int RestoreSnapshot(ReadOnlySpan<byte> snapshot, ICollection<int>? restored = null)
    {
        var reader = new StateReader(snapshot);
        var version = reader.ReadByte();
        if (version is not (SnapshotVersion or SnapshotVersionWithoutHealthDistricts))
        {
            throw new InvalidDataException($"detection snapshot: version {version}, this engine reads {SnapshotVersionWithoutHealthDistricts} and {SnapshotVersion}");
        }

        if (reader.ReadInt32() != StateWriter.SizeOf<AlertLatch>() || reader.ReadInt32() != GasMeterDetector.StateSize
            || !WaterLayoutMatches(ref reader))
        {
            throw new InvalidDataException("detection snapshot: written by an engine with another state layout");
        }

        var count = reader.ReadInt32();
        var start = reader.Position;

        // First pass: check every record is complete, so a truncated snapshot changes nothing.
        for (var i = 0; i < count; i++)
        {
            reader.Take(reader.ReadInt32());
        }

        var districtCount = reader.ReadInt32();
        for (var i = 0; i < districtCount; i++)
        {
            reader.Take(reader.ReadInt32());
        }

        var outageDistrictCount = version == SnapshotVersion ? reader.ReadInt32() : 0;
        for (var i = 0; i < outageDistrictCount; i++)
        {
            reader.Take(reader.ReadInt32());
        }

        reader = new StateReader(snapshot[start..]);
        var applied = 0;
        for (var i = 0; i < count; i++)
        {
            var record = new StateReader(reader.Take(reader.ReadInt32()));
            if (ReadDevice(ref record) is var number and >= 0)
            {
                restored?.Add(number);
                applied++;
            }
        }

        // Districts after their devices: a district's counts of low sensors and tripped CUSUMs come from its devices.
        if (_seen.Length < _registry.Count)
        {
            Grow(_registry.Count - 1);
        }

        reader.ReadInt32();
        for (var i = 0; i < districtCount; i++)
        {
            var record = new StateReader(reader.Take(reader.ReadInt32()));
            Water.ReadDistrict(ref record);
        }

        // Outage districts after their devices too: their members make an outage active again, the record adds its floor.
        if (version == SnapshotVersion)
        {
            reader.ReadInt32();
        }

        for (var i = 0; i < outageDistrictCount; i++)
        {
            var record = new StateReader(reader.Take(reader.ReadInt32()));
            Health.ReadDistrict(ref record);
        }

        return applied;
    }

    private static bool WaterLayoutMatches(ref StateReader reader)
    {
        var layout = WaterDetectors.Layout;
        var matches = reader.ReadInt32() == layout.Length;
        for (var i = 0; matches && i < layout.Length; i++)
        {
            matches = reader.ReadInt32() == layout[i];
        }

        return matches;
    }

    private void WriteDevice(int number, StateWriter writer)
    {
        var device = _registry[number];
        writer.WriteString(device.Id);
        writer.WriteByte((byte)device.Kind);
        var known = (uint)number < (uint)_seen.Length;
        writer.WriteByte(known && _seen[number] ? (byte)1 : (byte)0);
        writer.WriteInt64(known ? (long)_lastSequence[number] : 0);
        if (!known)
        {
            Grow(number);
        }

        Health.WriteState(number, writer);
        switch (device.Kind)
        {
            case DeviceKind.MethaneDetector:
                Methane.WriteState(number, writer);
                break;
            case DeviceKind.GasMeter:
                GasMeter.WriteState(number, writer);
                break;
            case DeviceKind.EvCharger:
                Charger.WriteState(number, writer);
                break;
            case DeviceKind.SmokeAlarm or DeviceKind.ElectricalFireDetector or DeviceKind.FireWaterPressure:
                Fire.WriteState(number, writer);
                break;
            default:
                Water.WriteState(number, device.Kind, writer);
                break;
        }
    }

    private int ReadDevice(ref StateReader reader)
    {
        var idLength = reader.ReadInt32();
        var id = reader.Take(idLength);
        var kind = (DeviceKind)reader.ReadByte();
        if (!_registry.TryFind(id, out var number) || _registry[number].Kind != kind)
        {
            return -1;
        }

        if ((uint)number >= (uint)_seen.Length)
        {
            Grow(number);
        }

        var device = _registry[number];
        _seen[number] = reader.ReadByte() != 0;
        _lastSequence[number] = (ulong)reader.ReadInt64();
        Health.ReadState(number, device, ref reader);
        switch (kind)
        {
            case DeviceKind.MethaneDetector:
                Methane.ReadState(number, ref reader);
                break;
            case DeviceKind.GasMeter:
                GasMeter.ReadState(number, ref reader);
                break;
            case DeviceKind.EvCharger:
                Charger.ReadState(number, device, ref reader);
                break;
            case DeviceKind.SmokeAlarm or DeviceKind.ElectricalFireDetector or DeviceKind.FireWaterPressure:
                Fire.ReadState(number, device, ref reader);
                break;
            default:
                Water.ReadState(number, kind, ref reader);
                break;
        }

        return number;
    }
}
