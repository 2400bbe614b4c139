using System.Globalization;
using Sensing.Core.Alerts;

namespace Sensing.Detection.Internal;

/// <summary>
/// The alerts of one condition over many sources (devices or districts, indexed by a dense number): a flat array
/// of unmanaged <see cref="AlertLatch"/> plus, beside it, the ids of the active alerts. Turns latch steps into
/// <see cref="AlertEvent"/>s with deterministic ids (<see cref="AlertId.Create"/> on the source, the condition and
/// the raise event time). Stepping allocates nothing; publishing (transitions only) does.
/// </summary>
internal sealed class AlertTrack
{
    private ChatterRule _chatter;
    private readonly string _conditionName;

    // For limits that are breached downwards (battery): values go into the latch negated, so its peak is the
    // lowest value, and come out restored.
    private readonly bool _lowerIsWorse;
    private AlertLatch[] _latches;
    private string?[] _ids;
    private string?[] _chatterIds;

    public AlertTrack(AlertCondition condition, ChatterRule chatter, int capacity, bool lowerIsWorse = false)
    {
        Condition = condition;
        _lowerIsWorse = lowerIsWorse;
        _conditionName = condition.Name();
        _chatter = chatter;
        _latches = new AlertLatch[capacity];
        _ids = new string?[capacity];
        _chatterIds = new string?[capacity];
    }

    /// <summary>The worst value seen by the latch of source <paramref name="index"/> (highest, or lowest for a downward limit).</summary>
    public double Peak(int index) => _lowerIsWorse ? -_latches[index].Peak : _latches[index].Peak;

    /// <summary>
    /// The chattering rule steps use from now on (new options applied); latches keep their state, and a source
    /// already chattering stays so until the hold-off it started with is over.
    /// </summary>
    public ChatterRule Chatter
    {
        get => _chatter;
        set => _chatter = value;
    }

    /// <summary>The condition this track raises.</summary>
    public AlertCondition Condition { get; }

    /// <summary>Sources with an active, published alert.</summary>
    public int ActiveCount { get; private set; }

    /// <summary>Number of sources the arrays hold.</summary>
    public int Capacity => _latches.Length;

    /// <summary>The latch of source <paramref name="index"/>.</summary>
    public ref AlertLatch this[int index] => ref _latches[index];

    /// <summary>Grows to <paramref name="capacity"/> sources, keeping existing state.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _latches.Length)
        {
            Array.Resize(ref _latches, capacity);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _chatterIds, capacity);
        }
    }

    /// <summary>Writes source <paramref name="index"/>'s latch and alert ids (checkpoint).</summary>
    public void WriteState(int index, StateWriter writer)
    {
        writer.WriteStruct(in _latches[index]);
        writer.WriteString(_ids[index]);
        writer.WriteString(_chatterIds[index]);
    }

    /// <summary>Replaces source <paramref name="index"/>'s latch and alert ids with what <see cref="WriteState"/> wrote.</summary>
    public void ReadState(int index, ref StateReader reader)
    {
        var latch = reader.ReadStruct<AlertLatch>();
        var id = reader.ReadString();
        var chatterId = reader.ReadString();

        // ActiveCount counts sources holding a published alert id (set on raise, cleared on clear).
        ActiveCount += (id is null ? 0 : 1) - (_ids[index] is null ? 0 : 1);
        _latches[index] = latch;
        _ids[index] = id;
        _chatterIds[index] = chatterId;
    }

    /// <inheritdoc cref="AlertLatch.Step"/>
    public LatchSteps Step(int index, bool abnormal, bool normal, AlertSeverity severity, double value, long timeMs, LatchTiming timing) =>
        _latches[index].Step(abnormal, normal, severity, _lowerIsWorse ? -value : value, timeMs, timing, _chatter);

    /// <inheritdoc cref="AlertLatch.Advance"/>
    public LatchSteps Advance(int index, long nowMs, LatchTiming timing) => _latches[index].Advance(nowMs, timing, _chatter);

    /// <inheritdoc cref="AlertLatch.ForceRaise"/>
    public LatchSteps ForceRaise(int index, AlertSeverity severity, double value, long timeMs) =>
        _latches[index].ForceRaise(severity, _lowerIsWorse ? -value : value, timeMs, _chatter);

    /// <inheritdoc cref="AlertLatch.ForceClear"/>
    public LatchSteps ForceClear(int index, long timeMs) => _latches[index].ForceClear(timeMs);

    /// <summary>True when source <paramref name="index"/> has an active, published alert; gives its id and severity.</summary>
    public bool TryGetActive(int index, out string alertId, out AlertSeverity severity)
    {
        if ((uint)index < (uint)_latches.Length && _latches[index].IsActive)
        {
            alertId = _ids[index]!;
            severity = _latches[index].Severity;
            return true;
        }

        alertId = "";
        severity = default;
        return false;
    }

    /// <summary>
    /// Publishes what <paramref name="steps"/> asks for, in lifecycle order (chattering cleared, raised, updated,
    /// cleared, chattering raised). <paramref name="message"/> describes the condition's step for the operator.
    /// </summary>
    public void Publish(
        IAlertSink sink, LatchSteps steps, int index, string source, string district, string deviceKind, double value, long timeMs,
        string message)
    {
        ref var latch = ref _latches[index];
        if ((steps & LatchSteps.ChatterCleared) != 0)
        {
            PublishChatter(sink, AlertEventType.Cleared, ref latch, index, source, district, deviceKind, timeMs);
        }

        if ((steps & LatchSteps.Raised) != 0)
        {
            _ids[index] = AlertId.Create(source, Condition, latch.RaisedAtMs);
            ActiveCount++;
            sink.OnAlert(Event(AlertEventType.Raised, ref latch, index, source, district, deviceKind, value, timeMs, message));
        }

        if ((steps & LatchSteps.Updated) != 0)
        {
            sink.OnAlert(Event(AlertEventType.Updated, ref latch, index, source, district, deviceKind, value, timeMs, message));
        }

        if ((steps & LatchSteps.Cleared) != 0)
        {
            sink.OnAlert(Event(AlertEventType.Cleared, ref latch, index, source, district, deviceKind, value, timeMs, message));
            _ids[index] = null;
            ActiveCount--;
        }

        if ((steps & LatchSteps.ChatterRaised) != 0)
        {
            // The chattering alert's id covers the condition too, so two conditions of one source chattering at
            // the same instant get two alerts.
            _chatterIds[index] = AlertId.Create(source + "/" + _conditionName, AlertCondition.Chattering, latch.ChatterSinceMs);
            PublishChatter(sink, AlertEventType.Raised, ref latch, index, source, district, deviceKind, timeMs);
        }
    }

    private AlertEvent Event(
        AlertEventType type, ref AlertLatch latch, int index, string source, string district, string deviceKind, double value, long timeMs,
        string message) => new()
        {
            Id = _ids[index]!,
            Type = type,
            Source = source,
            Condition = _conditionName,
            Severity = latch.Severity,
            District = district,
            DeviceKind = deviceKind,
            RaisedAtMs = latch.RaisedAtMs,
            // A step never precedes its raise: a reading that arrives late (after an outage) may be older than the raise,
            // and consumers keep an alert's latest step by event time.
            EventTimeMs = Math.Max(timeMs, latch.RaisedAtMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, latch.RaisedAtMs) : null,
            Value = value,
            PeakValue = _lowerIsWorse ? -latch.Peak : latch.Peak,
            Count = latch.Count,
            Message = message,
        };

    private void PublishChatter(
        IAlertSink sink, AlertEventType type, ref AlertLatch latch, int index, string source, string district, string deviceKind, long timeMs)
    {
        var holdOffMinutes = _chatter.HoldOffMs / 60_000.0;
        sink.OnAlert(new AlertEvent
        {
            Id = _chatterIds[index]!,
            Type = type,
            Source = source,
            Condition = AlertCondition.Chattering.Name(),
            Severity = AlertSeverity.Low,
            District = district,
            DeviceKind = deviceKind,
            RaisedAtMs = latch.ChatterSinceMs,
            EventTimeMs = Math.Max(timeMs, latch.ChatterSinceMs),
            ClearedAtMs = type == AlertEventType.Cleared ? Math.Max(timeMs, latch.ChatterSinceMs) : null,
            Value = _chatter.Raises,
            PeakValue = _chatter.Raises,
            Count = 1,
            Message = type == AlertEventType.Cleared
                ? string.Create(CultureInfo.InvariantCulture, $"{_conditionName} at {source}: chattering hold-off over, raises published again")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{_conditionName} at {source} raised {_chatter.Raises} times within {_chatter.WindowMs / 1000} s: further raises suppressed for {holdOffMinutes:0.#} min"),
        });
        if (type == AlertEventType.Cleared)
        {
            _chatterIds[index] = null;
        }
    }
}
