using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sensing.Core.Devices;

/// <summary>
/// The devices a gateway admits and a processor tracks, each with a dense number (0..Count-1) that indexes
/// per-device state arrays. Lookups by UTF-8 id do not allocate. Changes at run time (<see cref="Apply"/>): a new
/// device gets the next number (numbers are never reused), a changed one keeps its number unless its kind changed
/// (then it is a new device with a new number), a removed one can no longer be found but keeps its number, which it
/// gets back if it is added again with the same kind. Readers see each batch of changes
/// whole or not at all. Districts and parameters equal between devices are held once.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _districts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceParameters> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _removed = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = new([], 0, new Dictionary<string, int>(StringComparer.Ordinal));

    /// <summary>Number of dense numbers given out (removed devices included); numbers are 0..Count-1.</summary>
    public int Count => _snapshot.Count;

    /// <summary>Devices that can be found now (removed ones not counted).</summary>
    public int Active => _snapshot.Index.Count;

    /// <summary>The device with dense number <paramref name="number"/> (its last entry, when it was removed).</summary>
    public DeviceInfo this[int number] => (uint)number < (uint)_snapshot.Count
        ? _snapshot.Devices[number]
        : throw new ArgumentOutOfRangeException(nameof(number), number, "not a device number of this registry");

    /// <summary>Raised after each applied batch that changed something, with what changed, on the applying thread.</summary>
    public event Action<IReadOnlyList<DeviceChange>>? Changed;

    /// <summary>Adds or replaces devices; returns how many were new.</summary>
    public int Upsert(IEnumerable<DeviceInfo> devices) =>
        Apply(devices.Select(d => new DeviceUpdate(d.Id, d))).Count(c => c.Before is null);

    /// <summary>Removes one device; false when it was not registered.</summary>
    public bool Remove(string id) => Apply([new DeviceUpdate(id, null)]).Count != 0;

    /// <summary>
    /// Applies a batch of updates in order (a later update of the same id wins) as one change readers see at once.
    /// Returns what changed: an update equal to the registered entry changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A device id is not valid; nothing of the batch is applied.</exception>
    public IReadOnlyList<DeviceChange> Apply(IEnumerable<DeviceUpdate> updates)
    {
        var batch = updates.ToList();
        foreach (var update in batch)
        {
            if (update.Device is { } given && (given.Id != update.Id || !IsValidId(given.Id)))
            {
                throw new ArgumentException($"device id '{given.Id}' is not 1-{DeviceInfo.MaxIdLength} of [A-Za-z0-9._-]");
            }
        }

        List<DeviceChange> changes = [];
        if (batch.Count == 0)
        {
            return changes;
        }

        lock (_gate)
        {
            var current = _snapshot;
            var devices = current.Devices;
            var count = current.Count;
            var index = new Dictionary<string, int>(current.Index, StringComparer.Ordinal);
            foreach (var update in batch)
            {
                if (update.Device is null)
                {
                    if (index.Remove(update.Id, out var gone))
                    {
                        _removed[update.Id] = gone;
                        changes.Add(new DeviceChange(gone, devices[gone], null));
                    }

                    continue;
                }

                var device = Intern(update.Device);
                if (index.TryGetValue(device.Id, out var number) && devices[number].Kind != device.Kind)
                {
                    // Another kind is another device for every per-device state (detectors are chosen by kind): the
                    // entry gets a new number, the old one keeps its last entry and is not found any more.
                    changes.Add(new DeviceChange(number, devices[number], null));
                    index.Remove(device.Id);
                    _removed.Remove(device.Id);
                }

                if (index.TryGetValue(device.Id, out number))
                {
                    if (!devices[number].Equals(device))
                    {
                        devices = Writable(devices, current.Devices, count);
                        changes.Add(new DeviceChange(number, devices[number], device));
                        devices[number] = device;
                    }

                    continue;
                }

                if (!_removed.Remove(device.Id, out number) || devices[number].Kind != device.Kind)
                {
                    number = count++;
                }

                devices = Writable(devices, current.Devices, count);
                devices[number] = device;
                index[device.Id] = number;
                changes.Add(new DeviceChange(number, null, device));
            }

            if (changes.Count == 0)
            {
                return changes;
            }

            if (index.Count > 4096 && index.EnsureCapacity(0) > index.Count + (index.Count / 4))
            {
                // A large load grew the index by doubling: give back the unused quarter and more (3.5 MB at city size,
                // in every gateway and processor).
                index.TrimExcess();
            }

            _snapshot = new Snapshot(devices, count, index);
        }

        Changed?.Invoke(changes);
        return changes;
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

    /// <summary>The devices that can be found now, in number order.</summary>
    public IEnumerable<DeviceInfo> Devices()
    {
        var snapshot = _snapshot;
        return snapshot.Index.Values.Order().Select(n => snapshot.Devices[n]);
    }

    /// <summary>Loads a registry file (see <see cref="DeviceRegistryFile"/>).</summary>
    public static DeviceRegistry Load(string path)
    {
        var registry = new DeviceRegistry();
        registry.Upsert(DeviceRegistryFile.Read(path));
        return registry;
    }

    private static bool IsValidId(string id) =>
        id.Length <= DeviceInfo.MaxIdLength && Encoding.UTF8.GetByteCount(id) == id.Length && DeviceInfo.IsValidId(Encoding.ASCII.GetBytes(id));

    // The array readers hold is never written: the first change of a batch copies it (with room to grow when the
    // batch adds devices), later ones of the same batch write the copy.
    private static DeviceInfo[] Writable(DeviceInfo[] devices, DeviceInfo[] published, int count)
    {
        if (!ReferenceEquals(devices, published) && count <= devices.Length)
        {
            return devices;
        }

        var copy = new DeviceInfo[count <= devices.Length ? devices.Length : Math.Max(count, devices.Length * 2)];
        Array.Copy(devices, copy, devices.Length);
        return copy;
    }

    private DeviceInfo Intern(DeviceInfo device)
    {
        if (!_districts.TryGetValue(device.District, out var district))
        {
            district = device.District;
            _districts[district] = district;
        }

        var text = device.Parameters.ToString();
        if (!_parameters.TryGetValue(text, out var parameters))
        {
            parameters = device.Parameters;
            _parameters[text] = parameters;
        }

        return ReferenceEquals(district, device.District) && ReferenceEquals(parameters, device.Parameters)
            ? device
            : device with { District = district, Parameters = parameters };
    }

    private sealed class Snapshot(DeviceInfo[] devices, int count, Dictionary<string, int> index)
    {
        public DeviceInfo[] Devices { get; } = devices;
        public int Count { get; } = count;
        public Dictionary<string, int> Index { get; } = index;
        public Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}

/// <summary>One update of the registry: the device's new entry, or <c>null</c> to remove it.</summary>
public readonly record struct DeviceUpdate(string Id, DeviceInfo? Device);

/// <summary>What one update changed: the entry before (null for a new device) and after (null when removed).</summary>
public sealed record DeviceChange(int Number, DeviceInfo? Before, DeviceInfo? After);
