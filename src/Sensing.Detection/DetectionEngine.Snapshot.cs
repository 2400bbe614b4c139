using System.Buffers;
using Sensing.Core.Devices;
using Sensing.Detection.Gas;
using Sensing.Detection.Internal;

namespace Sensing.Detection;

/// <summary>
/// Snapshots of per-device state, so a processor can checkpoint the state together with the offsets it reflects
/// and another engine (after a restart or a rebalance) can carry on where this one stopped.
/// </summary>
public sealed partial class DetectionEngine
{
    /// <summary>Format version of <see cref="WriteSnapshot"/>; <see cref="RestoreSnapshot"/> refuses any other.</summary>
    public const byte SnapshotVersion = 2;

    private readonly ArrayBufferWriter<byte> _deviceRecord = new(256);

    /// <summary>
    /// Writes the state of the given devices: the last sequence number, device health, and the methane, gas meter
    /// and charger detectors' latches, alert ids and per-device state. Water-network detectors are not included
    /// (their district state spans devices; see README, "Checkpoints"). Layout: version byte, the sizes of the
    /// copied structs (a layout check), the device count, then per device its record's length and the record
    /// (device id, kind, state), so a reader can skip devices it no longer knows.
    /// </summary>
    public void WriteSnapshot(ReadOnlySpan<int> deviceNumbers, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StateWriter(output);
        writer.WriteByte(SnapshotVersion);
        writer.WriteInt32(StateWriter.SizeOf<AlertLatch>());
        writer.WriteInt32(GasMeterDetector.StateSize);
        writer.WriteInt32(deviceNumbers.Length);
        foreach (var number in deviceNumbers)
        {
            _deviceRecord.ResetWrittenCount();
            WriteDevice(number, new StateWriter(_deviceRecord));
            writer.WriteInt32(_deviceRecord.WrittenCount);
            output.Write(_deviceRecord.WrittenSpan);
        }
    }

    /// <summary>
    /// Replaces the state of every device in <paramref name="snapshot"/> (written by <see cref="WriteSnapshot"/>)
    /// and adds their numbers to <paramref name="restored"/>. Devices no longer in the registry, or registered
    /// under another kind since, are skipped. Returns the number of devices restored.
    /// </summary>
    /// <exception cref="InvalidDataException">Another format version or struct layout, or a truncated record list (nothing is changed then).</exception>
    public int RestoreSnapshot(ReadOnlySpan<byte> snapshot, ICollection<int>? restored = null)
    {
        var reader = new StateReader(snapshot);
        var version = reader.ReadByte();
        if (version != SnapshotVersion)
        {
            throw new InvalidDataException($"detection snapshot: version {version}, this engine reads {SnapshotVersion}");
        }

        if (reader.ReadInt32() != StateWriter.SizeOf<AlertLatch>() || reader.ReadInt32() != GasMeterDetector.StateSize)
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

        return applied;
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
        }

        return number;
    }
}
