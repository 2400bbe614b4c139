using Sensing.Core.Devices;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Water.Internal;

/// <summary>
/// The water devices of the registry resolved once: each device's dense district number and the
/// <see cref="WaterOptions"/> in force for that district (the city's, changed by the district's override). Shared by the water detectors of one engine; grows when
/// the engine grows (new devices), never per reading. Each water device also gets a dense index among the devices
/// of its kind, so a detector's per-sensor state is sized by its sensors, not by the whole registry. Devices of other
/// kinds get district -1 and index -1.
/// </summary>
internal sealed class WaterNetwork
{
    private readonly DeviceRegistry _registry;
    private DeviceRules _rules;
    private readonly Dictionary<string, int> _districtNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _districtNames = [];
    private readonly List<WaterOptions> _districtOptions = [];
    private readonly List<int>[] _devicesOfKind = [[], [], [], [], [], [], [], []];
    private int[] _districtOf = [];
    private int[] _indexOf = [];
    private int _resolved;

    public WaterNetwork(DeviceRules rules, DeviceRegistry registry, int capacity)
    {
        _rules = rules;
        _registry = registry;
        Clock = new LocalClock(rules.Options.TimeZone);
        Resolve(capacity);
    }

    /// <summary>The city's local time.</summary>
    public LocalClock Clock { get; private set; }

    /// <summary>Number of districts with at least one water device.</summary>
    public int DistrictCount => _districtNames.Count;

    /// <summary>Devices resolved so far (0..Resolved-1).</summary>
    public int Resolved => _resolved;

    /// <summary>The registry the devices come from.</summary>
    public DeviceRegistry Registry => _registry;

    /// <summary>District number of device <paramref name="deviceNumber"/>, or -1 for a device that is not a water device.</summary>
    public int DistrictOf(int deviceNumber) => _districtOf[deviceNumber];

    /// <summary>Dense index of device <paramref name="deviceNumber"/> among the devices of its kind, or -1.</summary>
    public int IndexOf(int deviceNumber) => _indexOf[deviceNumber];

    /// <summary>Dense index of device <paramref name="deviceNumber"/> when it is a resolved device of <paramref name="kind"/>, else -1 (queries, not the hot path).</summary>
    public int IndexOf(int deviceNumber, DeviceKind kind) =>
        (uint)deviceNumber < (uint)_resolved && _registry[deviceNumber].Kind == kind ? _indexOf[deviceNumber] : -1;

    /// <summary>Number of water devices of <paramref name="kind"/> resolved so far.</summary>
    public int CountOf(DeviceKind kind) => _devicesOfKind[(int)kind].Count;

    /// <summary>Device number of the <paramref name="index"/>-th device of <paramref name="kind"/>.</summary>
    public int DeviceOf(DeviceKind kind, int index) => _devicesOfKind[(int)kind][index];

    /// <summary>Name of district <paramref name="district"/>.</summary>
    public string DistrictName(int district) => _districtNames[district];

    /// <summary>The number of the district named <paramref name="name"/>; false when no resolved water device is in it.</summary>
    public bool TryFindDistrict(string name, out int district) => _districtNumbers.TryGetValue(name, out district);

    /// <summary>Options in force in district <paramref name="district"/>.</summary>
    public WaterOptions OptionsOf(int district) => _districtOptions[district];

    /// <summary>The options every district would have under <paramref name="rules"/> (nothing is changed).</summary>
    public WaterOptions[] OptionsUnder(DeviceRules rules)
    {
        var options = new WaterOptions[_districtNames.Count];
        for (var k = 0; k < options.Length; k++)
        {
            options[k] = rules.ForDistrict(_districtNames[k]).Water;
        }

        return options;
    }

    /// <summary>New options: every district's are resolved again, and local time follows the new zone.</summary>
    public void Apply(DeviceRules rules)
    {
        _rules = rules;
        Clock = new LocalClock(rules.Options.TimeZone);
        for (var k = 0; k < _districtOptions.Count; k++)
        {
            _districtOptions[k] = rules.ForDistrict(_districtNames[k]).Water;
        }
    }

    /// <summary>Resolves devices up to <paramref name="capacity"/> (idempotent; the registry must hold them).</summary>
    public void Resolve(int capacity)
    {
        if (capacity <= _resolved)
        {
            return;
        }

        Array.Resize(ref _districtOf, capacity);
        Array.Resize(ref _indexOf, capacity);
        for (var number = _resolved; number < capacity; number++)
        {
            var device = _registry[number];
            if (IsWater(device.Kind))
            {
                var ofKind = _devicesOfKind[(int)device.Kind];
                _districtOf[number] = DistrictNumber(device.District);
                _indexOf[number] = ofKind.Count;
                ofKind.Add(number);
            }
            else
            {
                _districtOf[number] = -1;
                _indexOf[number] = -1;
            }
        }

        _resolved = capacity;
    }

    private static bool IsWater(DeviceKind kind) =>
        kind is DeviceKind.WaterPressure or DeviceKind.WaterFlow or DeviceKind.ReservoirLevel or DeviceKind.RainGauge;

    private int DistrictNumber(string district)
    {
        if (!_districtNumbers.TryGetValue(district, out var number))
        {
            number = _districtNames.Count;
            _districtNumbers.Add(district, number);
            _districtNames.Add(district);
            _districtOptions.Add(_rules.ForDistrict(district).Water);
        }

        return number;
    }
}
