using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sensing.Core.Devices;

/// <summary>
/// The devices a gateway admits and a processor tracks, each with a dense number (0..Count-1) that indexes
/// per-device state arrays. Lookups by UTF-8 id do not allocate. Updatable at run time: <see cref="Upsert"/>
/// appends new devices (numbers are never reused) and replaces the record of known ones.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = new([], new Dictionary<string, int>(StringComparer.Ordinal));

    /// <summary>Number of registered devices; dense numbers are 0..Count-1.</summary>
    public int Count => _snapshot.Devices.Length;

    /// <summary>The device with dense number <paramref name="number"/>.</summary>
    public DeviceInfo this[int number] => _snapshot.Devices[number];

    /// <summary>Adds or replaces devices; returns how many were new.</summary>
    public int Upsert(IEnumerable<DeviceInfo> devices)
    {
        lock (_gate)
        {
            var current = _snapshot;
            var list = new List<DeviceInfo>(current.Devices);
            var index = new Dictionary<string, int>(current.Index, StringComparer.Ordinal);
            var added = 0;
            foreach (var device in devices)
            {
                if (!DeviceInfo.IsValidId(Encoding.ASCII.GetBytes(device.Id)) || Encoding.UTF8.GetByteCount(device.Id) != device.Id.Length)
                {
                    throw new ArgumentException($"device id '{device.Id}' is not 1-{DeviceInfo.MaxIdLength} of [A-Za-z0-9._-]");
                }

                if (index.TryGetValue(device.Id, out var existing))
                {
                    list[existing] = device;
                }
                else
                {
                    index[device.Id] = list.Count;
                    list.Add(device);
                    added++;
                }
            }

            _snapshot = new Snapshot([.. list], index);
            return added;
        }
    }

    /// <summary>Finds a device by its id given as ASCII/UTF-8 bytes, without allocating.</summary>
    public bool TryFind(ReadOnlySpan<byte> idUtf8, out int number)
    {
        if (idUtf8.IsEmpty || idUtf8.Length > DeviceInfo.MaxIdLength)
        {
            number = -1;
            return false;
        }

        Span<char> chars = stackalloc char[DeviceInfo.MaxIdLength];
        for (var i = 0; i < idUtf8.Length; i++)
        {
            chars[i] = (char)idUtf8[i];
        }

        return _snapshot.Lookup.TryGetValue(chars[..idUtf8.Length], out number);
    }

    /// <summary>Finds a device by id.</summary>
    public bool TryFind(string id, [NotNullWhen(true)] out DeviceInfo? device)
    {
        var snapshot = _snapshot;
        if (snapshot.Index.TryGetValue(id, out var number))
        {
            device = snapshot.Devices[number];
            return true;
        }

        device = null;
        return false;
    }

    /// <summary>Loads a registry file (see <see cref="DeviceRegistryFile"/>).</summary>
    public static DeviceRegistry Load(string path)
    {
        var registry = new DeviceRegistry();
        registry.Upsert(DeviceRegistryFile.Read(path));
        return registry;
    }

    private sealed class Snapshot(DeviceInfo[] devices, Dictionary<string, int> index)
    {
        public DeviceInfo[] Devices { get; } = devices;
        public Dictionary<string, int> Index { get; } = index;
        public Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
