using System.Runtime.CompilerServices;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Charging;
using Sensing.Detection.Fire;
using Sensing.Detection.Gas;
using Sensing.Detection.Health;
using Sensing.Detection.Internal;
using Sensing.Detection.Water;

namespace Sensing.Detection;

/// <summary>
/// Runs every detector that applies to a device's kind over that device's readings, after dropping duplicates by
/// the device sequence number. Per-device state lives in flat arrays indexed by the dense device number of the
/// <see cref="DeviceRegistry"/> and grows with it; a reading that raises, escalates or clears nothing allocates
/// nothing. Not thread-safe: one engine per partition (per-device order is Kafka partition order), one thread.
/// </summary>
public sealed partial class DetectionEngine
{
    private readonly DeviceRegistry _registry;
    private DeviceRules _rules;
    private readonly IDeviceDetector[] _detectors;

    // Detectors per DeviceKind byte value; 256 entries so any byte indexes without a range check failing.
    private readonly IDeviceDetector[][] _detectorsByKind;

    // Highest device sequence number processed per device, valid where _seen is true.
    private ulong[] _lastSequence;
    private bool[] _seen;
    private long _processed;
    private long _duplicates;

    /// <summary>
    /// Creates an engine whose commands go to <paramref name="sink"/> when it is also an <see cref="ICommandSink"/>;
    /// otherwise commands are only counted (<see cref="GasMeterDetector.CommandsIssued"/>), as in a backtest.
    /// Validates <paramref name="options"/> (throws <see cref="ArgumentException"/> naming the bad option).
    /// </summary>
    public DetectionEngine(DetectionOptions options, DeviceRegistry registry, IAlertSink sink)
        : this(options, registry, sink, sink as ICommandSink)
    {
    }

    /// <summary>Creates an engine; validates <paramref name="options"/> (throws <see cref="ArgumentException"/> naming the bad option).</summary>
    public DetectionEngine(DetectionOptions options, DeviceRegistry registry, IAlertSink sink, ICommandSink? commands)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sink);
        options.Validate();
        var rules = _rules = new DeviceRules(options);
        _registry = registry;
        var capacity = registry.Count;
        _lastSequence = new ulong[capacity];
        _seen = new bool[capacity];

        Methane = new MethaneDetector(rules, sink, capacity);
        GasMeter = new GasMeterDetector(rules, sink, commands, capacity);
        Charger = new ChargerDetector(rules, sink, capacity);
        Health = new DeviceHealthDetector(rules, sink, capacity);
        Water = new WaterDetectors(rules, registry, sink, capacity);
        Fire = new FireDetectors(rules, Methane, sink, capacity);

        // Fire after methane: a methane detector's alert, once judged, confirms smoke alarms of its building.
        _detectors = [Methane, GasMeter, Charger, .. Water.Inputs, .. Fire.Inputs];

        _detectorsByKind = new IDeviceDetector[256][];
        for (var kind = 0; kind < _detectorsByKind.Length; kind++)
        {
            _detectorsByKind[kind] = Array.FindAll(_detectors, d => (int)d.Kind == kind);
        }
    }

    /// <summary>The options in force (<see cref="Apply"/> replaces them).</summary>
    public DetectionOptions Options => _rules.Options;

    /// <summary>The methane alarm detector (state queries only).</summary>
    public MethaneDetector Methane { get; }

    /// <summary>The gas meter detector (state queries only).</summary>
    public GasMeterDetector GasMeter { get; }

    /// <summary>The EV charger detector (state queries only).</summary>
    public ChargerDetector Charger { get; }

    /// <summary>Low battery, offline and clock skew for every device (state queries only).</summary>
    public DeviceHealthDetector Health { get; }

    /// <summary>The water-network detectors (state queries only).</summary>
    public WaterDetectors Water { get; }

    /// <summary>The fire-safety detectors (state queries only).</summary>
    public FireDetectors Fire { get; }

    /// <summary>Readings accepted (not duplicates) and handed to the detectors for the device's kind.</summary>
    public long Processed => _processed;

    /// <summary>Readings skipped because their sequence number was not above the last one processed for the device.</summary>
    public long Duplicates => _duplicates;

    /// <summary>
    /// Examines one reading of device <paramref name="deviceNumber"/> (its dense number in the registry; the caller
    /// resolved it from <see cref="TelemetryFrame.DeviceId"/>). A reading whose sequence number is at or below the
    /// last one processed for the device is a duplicate or replay: it is counted in <see cref="Duplicates"/> and
    /// skipped; the gateway's connection events (an <see cref="Metric.Online"/> reading with sequence 0) are exempt.
    /// Detectors are chosen by the device's kind in the registry. Alerts go to the sink before this returns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceNumber"/> is not in the registry.</exception>
    public void Process(int deviceNumber, TelemetryFrame reading)
    {
        if ((uint)deviceNumber >= (uint)_seen.Length)
        {
            Grow(deviceNumber);
        }

        var sequence = reading.Sequence;
        if (reading.IsConnectionEvent)
        {
            // The gateway's record of a CONNECT or a fired will carries sequence 0 (it does not know the device's
            // counter): it is never a duplicate, and it leaves the device's counter alone.
            _processed++;
            Health.Process(deviceNumber, _registry[deviceNumber], reading);
            return;
        }

        if (_seen[deviceNumber] && sequence <= _lastSequence[deviceNumber])
        {
            _duplicates++;
            return;
        }

        _seen[deviceNumber] = true;
        _lastSequence[deviceNumber] = sequence;
        _processed++;

        var device = _registry[deviceNumber];
        Health.Process(deviceNumber, device, reading);
        foreach (var detector in _detectorsByKind[(byte)device.Kind])
        {
            detector.Process(deviceNumber, device, reading);
        }
    }

    /// <summary>
    /// Moves event time on to <paramref name="nowMs"/> (the caller's watermark, e.g. the highest event time it has
    /// processed) for conditions that time alone makes true: devices silent for k x their report interval go
    /// offline, chargers Faulted or Unavailable too long go out of service. Raise times are the moments the
    /// conditions became true, not <paramref name="nowMs"/>, so how often this is called changes no alert id.
    /// Call it regularly from the thread that calls <see cref="Process"/>; cheap when nothing is due.
    /// </summary>
    public void AdvanceTo(long nowMs)
    {
        Health.Advance(nowMs);
        Charger.Advance(nowMs);
        Water.Advance(nowMs);
        Fire.Advance(nowMs);
    }

    /// <summary>
    /// Device <paramref name="deviceNumber"/>'s readings arrive on input stream <paramref name="stream"/> (0 or more; a
    /// processor's Kafka partition): from now on <see cref="AdvanceStream"/> of that stream judges whether the device
    /// is silent. Call it when the device's first reading or restored state arrives from a stream, and again when it
    /// moves to another.
    /// </summary>
    public void AssignStream(int deviceNumber, int stream)
    {
        if ((uint)deviceNumber >= (uint)_seen.Length)
        {
            Grow(deviceNumber);
        }

        Health.AssignStream(deviceNumber, stream);
        Fire.AssignStream(deviceNumber, stream);
    }

    /// <summary>
    /// Input stream <paramref name="stream"/>'s event time reached <paramref name="nowMs"/> (the highest record time
    /// read on it so far): devices of that stream silent for k x their report interval go offline, and its smoke alarms
    /// silent past their heartbeat allowance get a fault alert, each raised at its deadline. Called after each record of
    /// the stream, the outcome depends on the stream's records in their order only, so a replay of the stream raises
    /// the same alerts (DeviceHealthDetector.Streams.cs, FireDetectors.Streams.cs). One comparison per detector until
    /// some deadline of the stream has passed. A stream that went quiet is advanced by its caller with the time of the
    /// others; <see cref="AdvanceTo"/> covers every other time-driven condition, and the devices given no stream.
    /// </summary>
    public void AdvanceStream(int stream, long nowMs)
    {
        Health.AdvanceStream(stream, nowMs);
        Fire.AdvanceStream(stream, nowMs);
    }

    /// <summary>
    /// An operator reported the leak of district <paramref name="district"/> repaired at <paramref name="timeMs"/>
    /// (the feed's <see cref="Core.Alerts.AlertEventType.Repaired"/> action): the district's open inlet-leak alerts clear
    /// with <paramref name="note"/> and its inlet meters learn their base flow again. False when no inlet meter of the
    /// district is here.
    /// </summary>
    public bool Repaired(string district, long timeMs, string? note) => Water.InletLeak.Repaired(district, timeMs, note);

    /// <summary>
    /// As <see cref="Repaired(string, long, string?)"/>, for the district's inlet meters (by device number) that
    /// <paramref name="applies"/> selects only: a processor passes those of the partitions it owns whose state has not
    /// taken the report yet, so a report read again after a restart or a rebalance is applied once. False, and nothing
    /// changes, when it selects none.
    /// </summary>
    public bool Repaired(string district, long timeMs, string? note, Func<int, bool> applies) =>
        Water.InletLeak.Repaired(district, timeMs, note, applies);

    /// <summary>
    /// Device <paramref name="deviceNumber"/>'s readings now go to another engine (its Kafka partition moved to
    /// another processor): time alone no longer raises anything for it here (offline, out of service) until it is
    /// heard here again. Alerts already active stay as they are.
    /// </summary>
    public void Release(int deviceNumber)
    {
        if ((uint)deviceNumber < (uint)_seen.Length)
        {
            Health.Release(deviceNumber);
            Charger.Release(deviceNumber);
            Water.Release(deviceNumber);
            Fire.Release(deviceNumber);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int deviceNumber)
    {
        // Numbers are dense and never reused, so the registry's count bounds every valid number; growing straight
        // to it takes one resize per registry update, not one per new device.
        var registered = _registry.Count;
        if (deviceNumber < 0 || deviceNumber >= registered)
        {
            ThrowHelper.ThrowUnknownDevice(deviceNumber, registered);
        }

        Array.Resize(ref _lastSequence, registered);
        Array.Resize(ref _seen, registered);
        foreach (var detector in _detectors)
        {
            detector.EnsureCapacity(registered);
        }

        Health.EnsureCapacity(registered);
    }
}
