using System.Buffers.Binary;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// The devices' own record of what the gateways acknowledged: one entry per PUBACK (a concentrator batch's PUBACK gives
/// one per reading in it), written by the publishing side and read by a checker that balances it against
/// <c>sensing.telemetry</c>. Independent of the pipeline's counters: it is what the devices know was taken from them.
/// An entry is 8 bytes, little-endian: the device's index in the city (int32), then the reading's sequence (uint32).
/// Safe to call from any thread.
/// </summary>
public sealed class AckLog : IDisposable
{
    /// <summary>Bytes per entry.</summary>
    public const int EntryBytes = 8;

    private readonly FileStream _file;
    private readonly Lock _lock = new();
    private readonly byte[] _entry = new byte[EntryBytes];
    private long _entries;

    /// <summary>Creates (or overwrites) the log at <paramref name="path"/>.</summary>
    public AckLog(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
    }

    /// <summary>Entries written.</summary>
    public long Entries => Interlocked.Read(ref _entries);

    /// <summary>Records that the gateway acknowledged reading <paramref name="sequence"/> of device <paramref name="deviceIndex"/>.</summary>
    public void Add(int deviceIndex, ulong sequence)
    {
        lock (_lock)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_entry, deviceIndex);
            BinaryPrimitives.WriteUInt32LittleEndian(_entry.AsSpan(4), (uint)sequence);
            _file.Write(_entry);
            Interlocked.Increment(ref _entries);
        }
    }

    /// <summary>Records every reading of an acknowledged batch.</summary>
    public void Add(IReadOnlyList<(int DeviceIndex, ulong Sequence)> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        foreach (var (index, sequence) in readings)
        {
            Add(index, sequence);
        }
    }

    /// <summary>Reads every entry of a log written by <see cref="AckLog"/> (a partly written last entry is left out).</summary>
    public static IEnumerable<(int DeviceIndex, uint Sequence)> Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        var entry = new byte[EntryBytes];
        while (file.ReadAtLeast(entry, EntryBytes, throwOnEndOfStream: false) == EntryBytes)
        {
            yield return (BinaryPrimitives.ReadInt32LittleEndian(entry), BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(4)));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _file.Dispose();
        }
    }
}
