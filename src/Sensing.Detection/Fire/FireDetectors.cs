using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Gas;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>
/// The fire-safety detectors of one <see cref="DetectionEngine"/> (docs/fire.md): smoke alarms (verification,
/// confirmation within a building, faults and silence), electrical fire monitoring detectors (residual current,
/// circuit temperature and its rate of rise, the maintenance trend over days) and fire hydrant or sprinkler main
/// pressure (one alert per building). They share the registry's <c>building</c> parameter, resolved to a dense
/// building number once per device record, so a reading costs array lookups only. Methane detectors with a
/// <c>building</c> take part too: their active methane alert confirms a smoke alarm there. Not thread-safe: the
/// engine's thread only.
/// </summary>
public sealed partial class FireDetectors
{
    // Pressure latches never publish themselves (the building alert does), so they never chatter.
    private static readonly ChatterRule NoChatter = new(int.MaxValue, 1, 1);

    private readonly IAlertSink _sink;
    private readonly MethaneDetector _methane;
    private DeviceRules _rules;
    private ChatterRule _chatter;

    private DeviceInfo?[] _resolvedFor;
    private Limits[] _limits;
    private FireDeviceState[] _state;

    // Daily peak temperatures of electrical fire detectors: MaxTrendDays slots per device, a ring.
    private double[] _peaks;

    private readonly AlertTrack _smoke;
    private readonly AlertTrack _smokeFault;
    private readonly AlertTrack _residual;
    private readonly AlertTrack _temperature;
    private readonly AlertTrack _maintenance;
    private AlertLatch[] _pressureLatches;

    // Buildings (the "building" parameter, or the district for a device without one), by dense number.
    private readonly Dictionary<string, int> _buildingNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _buildingNames = [];
    private readonly List<string> _buildingDistricts = [];
    private int[] _smokeInAlarm = new int[16];
    private long[] _lastSmokeStartMs = new long[16];
    private int[] _confirmers = new int[16];
    private int[] _lowPressureSensors = new int[16];
    private readonly AlertTrack _pressure;

    // Earliest event time a smoke verification window or heartbeat may run out; Advance scans nothing before it.
    private long _nextDueMs = long.MaxValue;

    internal FireDetectors(DeviceRules rules, MethaneDetector methane, IAlertSink sink, int capacity)
    {
        _rules = rules;
        _sink = sink;
        _methane = methane;
        _chatter = rules.Options.Lifecycle.ToRule();
        _resolvedFor = new DeviceInfo?[capacity];
        _limits = new Limits[capacity];
        _state = new FireDeviceState[capacity];
        _peaks = new double[capacity * ElectricalFireOptions.MaxTrendDays];
        _pressureLatches = new AlertLatch[capacity];
        _smoke = new AlertTrack(AlertCondition.SmokeAlarm, _chatter, capacity);
        _smokeFault = new AlertTrack(AlertCondition.SmokeAlarmFault, _chatter, capacity);
        _residual = new AlertTrack(AlertCondition.ResidualCurrent, _chatter, capacity);
        _temperature = new AlertTrack(AlertCondition.CircuitTemperature, _chatter, capacity);
        _maintenance = new AlertTrack(AlertCondition.CircuitMaintenance, _chatter, capacity);
        _pressure = new AlertTrack(AlertCondition.FireWaterPressureLow, _chatter, 16);
        Inputs =
        [
            new Input(this, DeviceKind.SmokeAlarm), new Input(this, DeviceKind.ElectricalFireDetector),
            new Input(this, DeviceKind.FireWaterPressure), new Input(this, DeviceKind.MethaneDetector),
        ];
    }

    /// <summary>The city's options in force (before overrides).</summary>
    public FireOptions Options => _rules.Options.Fire;

    /// <summary>
    /// Smoke alarms that cleared within their verification window, unconfirmed: recorded here (and as readings in the
    /// store), never raised as alerts.
    /// </summary>
    public long NuisanceAlarms { get; private set; }

    /// <summary>Smoke alarms pressed for a test (alarm with the test bit), which raise nothing.</summary>
    public long TestAlarms { get; private set; }

    /// <summary>Sources with an active alert of <paramref name="condition"/> (devices, or buildings for fire-water pressure).</summary>
    public int ActiveCount(AlertCondition condition) => Track(condition).ActiveCount;

    /// <summary>True when device <paramref name="deviceNumber"/> has an active alert of <paramref name="condition"/>.</summary>
    public bool TryGetActive(int deviceNumber, AlertCondition condition, out string alertId, out AlertSeverity severity) =>
        Track(condition).TryGetActive(deviceNumber, out alertId, out severity);

    /// <summary>True when building (or district) <paramref name="building"/> has an active low fire-water pressure alert.</summary>
    public bool TryGetBuildingPressureAlert(string building, out string alertId) =>
        _pressure.TryGetActive(_buildingNumbers.GetValueOrDefault(building, -1), out alertId, out _);

    internal IDeviceDetector[] Inputs { get; }

    internal void EnsureCapacity(int capacity)
    {
        if (capacity <= _state.Length)
        {
            return;
        }

        Array.Resize(ref _resolvedFor, capacity);
        Array.Resize(ref _limits, capacity);
        Array.Resize(ref _state, capacity);
        Array.Resize(ref _peaks, capacity * ElectricalFireOptions.MaxTrendDays);
        Array.Resize(ref _pressureLatches, capacity);
        _smoke.EnsureCapacity(capacity);
        _smokeFault.EnsureCapacity(capacity);
        _residual.EnsureCapacity(capacity);
        _temperature.EnsureCapacity(capacity);
        _maintenance.EnsureCapacity(capacity);
    }

    /// <summary>New options: every device resolved so far takes its new limits; state is kept.</summary>
    internal void Apply(DeviceRules rules)
    {
        _rules = rules;
        _chatter = rules.Options.Lifecycle.ToRule();
        foreach (var track in (ReadOnlySpan<AlertTrack>)[_smoke, _smokeFault, _residual, _temperature, _maintenance, _pressure])
        {
            track.Chatter = _chatter;
        }

        for (var n = 0; n < _resolvedFor.Length; n++)
        {
            if (_resolvedFor[n] is { } device)
            {
                Resolve(n, device);
            }
        }

        _nextDueMs = long.MinValue;
        _streams.RescanAll();
    }

    /// <summary>Device <paramref name="deviceNumber"/> is judged by another engine now: its heartbeat is no longer watched here.</summary>
    internal void Release(int deviceNumber)
    {
        if ((uint)deviceNumber < (uint)_state.Length)
        {
            _state[deviceNumber].LastHeardMs = 0;
        }
    }

    private void Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading)
    {
        if (!ReferenceEquals(_resolvedFor[deviceNumber], device))
        {
            Resolve(deviceNumber, device);
        }

        switch (device.Kind)
        {
            case DeviceKind.SmokeAlarm:
                ProcessSmoke(deviceNumber, device, reading);
                break;
            case DeviceKind.ElectricalFireDetector:
                ProcessElectrical(deviceNumber, device, reading);
                break;
            case DeviceKind.FireWaterPressure:
                ProcessPressure(deviceNumber, device, reading);
                break;
            case DeviceKind.MethaneDetector:
                // After the methane detector has judged the reading (it comes first in the engine's list).
                var active = _methane.TryGetActive(deviceNumber, out _, out _);
                SetConfirming(deviceNumber, device, active, reading.EventTimeMs);
                break;
        }
    }

    private void Resolve(int deviceNumber, DeviceInfo device)
    {
        var options = _rules.For(device).Fire;
        var smoke = options.SmokeAlarm;
        var electrical = options.Electrical;
        var pressure = options.WaterPressure;
        var parameters = device.Parameters;
        var residualSet = parameters.GetDouble("residual_set_ma", electrical.ResidualSetPointMa);
        var tempSet = parameters.GetDouble("temp_set_c", electrical.TemperatureSetPointC);
        var minimum = parameters.GetDouble("minimum_mpa", pressure.MinimumMpa);
        var hasBuilding = parameters.TryGet("building", out var building);
        _limits[deviceNumber] = new Limits
        {
            // Methane detectors confirm only within a building they are registered in; the district is too wide.
            Building = hasBuilding || device.Kind != DeviceKind.MethaneDetector ? BuildingNumber(hasBuilding ? building : device.District, device.District) : -1,
            VerificationMs = (long)smoke.VerificationWindow.TotalMilliseconds,
            ConfirmationMs = (long)smoke.ConfirmationWindow.TotalMilliseconds,
            SilentMs = (long)(smoke.SilentAfterIntervals * device.ReportIntervalSeconds * 1000),
            ResidualSet = residualSet,
            ResidualPre = residualSet * electrical.ResidualPreAlarmFraction,
            ResidualClear = (residualSet * electrical.ResidualPreAlarmFraction) - electrical.ResidualDeadbandMa,
            TempSet = tempSet,
            TempClear = tempSet - electrical.TemperatureDeadbandC,
            TempRate = electrical.TemperatureRiseCPerMinute,
            ElectricalTiming = new LatchTiming(0, (long)electrical.OffDelay.TotalMilliseconds),
            TrendDays = electrical.TrendDays,
            TrendRise = electrical.TrendRiseCPerDay,
            TrendMinRise = electrical.TrendMinRiseC,
            PressureLow = minimum,
            PressureClear = minimum + pressure.DeadbandMpa,
            PressureTiming = new LatchTiming((long)pressure.OnDelay.TotalMilliseconds, (long)pressure.OffDelay.TotalMilliseconds),
        };
        _resolvedFor[deviceNumber] = device;
    }

    private int BuildingNumber(string name, string district)
    {
        if (_buildingNumbers.TryGetValue(name, out var number))
        {
            return number;
        }

        number = _buildingNames.Count;
        _buildingNumbers.Add(name, number);
        _buildingNames.Add(name);
        _buildingDistricts.Add(district);
        if (number >= _smokeInAlarm.Length)
        {
            var size = _smokeInAlarm.Length * 2;
            Array.Resize(ref _smokeInAlarm, size);
            Array.Resize(ref _lastSmokeStartMs, size);
            Array.Resize(ref _confirmers, size);
            Array.Resize(ref _lowPressureSensors, size);
        }

        _pressure.EnsureCapacity(_buildingNames.Count);
        return number;
    }

    /// <summary>
    /// A methane detector's alert or a circuit's temperature alert became active or cleared: it confirms smoke alarms of
    /// its building while active, and confirms at once those waiting out their verification window.
    /// </summary>
    private void SetConfirming(int deviceNumber, DeviceInfo device, bool active, long timeMs)
    {
        ref var state = ref _state[deviceNumber];
        var building = _limits[deviceNumber].Building;
        if (building < 0 || state.Confirming == active)
        {
            return;
        }

        state.Confirming = active;
        _confirmers[building] += active ? 1 : -1;
        if (active)
        {
            ConfirmPending(building, device.Id, timeMs);
        }
    }

    private AlertTrack Track(AlertCondition condition) => condition switch
    {
        AlertCondition.SmokeAlarm => _smoke,
        AlertCondition.SmokeAlarmFault => _smokeFault,
        AlertCondition.ResidualCurrent => _residual,
        AlertCondition.CircuitTemperature => _temperature,
        AlertCondition.CircuitMaintenance => _maintenance,
        AlertCondition.FireWaterPressureLow => _pressure,
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "not a fire condition"),
    };

    private void Publish(AlertTrack track, LatchSteps steps, int deviceNumber, DeviceInfo device, double value, long timeMs, string message) =>
        track.Publish(_sink, steps, deviceNumber, device.Id, device.District, device.Kind.Name(), value, timeMs, message);

    /// <summary>Limits of one device after overrides and its registry parameters.</summary>
    private struct Limits
    {
        public int Building;
        public long VerificationMs;
        public long ConfirmationMs;
        public long SilentMs;
        public double ResidualSet;
        public double ResidualPre;
        public double ResidualClear;
        public double TempSet;
        public double TempClear;
        public double TempRate;
        public LatchTiming ElectricalTiming;
        public int TrendDays;
        public double TrendRise;
        public double TrendMinRise;
        public double PressureLow;
        public double PressureClear;
        public LatchTiming PressureTiming;
    }

    /// <summary>Feeds one device kind's readings to the detectors (the engine picks detectors by kind).</summary>
    private sealed class Input(FireDetectors owner, DeviceKind kind) : IDeviceDetector
    {
        public DeviceKind Kind { get; } = kind;

        // The owner grows its arrays itself (the engine calls FireDetectors.EnsureCapacity once).
        public void EnsureCapacity(int capacity) => owner.EnsureCapacity(capacity);

        public void Process(int deviceNumber, DeviceInfo device, TelemetryFrame reading) => owner.Process(deviceNumber, device, reading);
    }
}

/// <summary>What the fire detectors remember of one device between readings; unmanaged, copied as bytes into checkpoints.</summary>
internal struct FireDeviceState
{
    /// <summary>Smoke alarm: the alarm bit is set (not a test).</summary>
    public bool InAlarm;

    /// <summary>Methane detector or electrical fire detector: an alert of it confirms smoke alarms of its building.</summary>
    public bool Confirming;

    /// <summary>Fire-water pressure: counted among its building's low sensors.</summary>
    public bool CountedLow;

    /// <summary>Electrical: <see cref="LastTemperature"/> holds a reading.</summary>
    public bool HaveTemperature;

    public int PeakCount;
    public int PeakHead;
    public long AlarmSinceMs;
    public long LastHeardMs;
    public long LastTemperatureMs;
    public double LastTemperature;
    public long Day;
    public double DayPeak;
}
