using Sensing.Core.Devices;
using Sensing.Core.Telemetry;

namespace Sensing.Storage.Aggregation;

/// <summary>
/// Per-device one-minute aggregates (min, max, mean, last, count of every metric) in event time, written as
/// <c>sensing_agg_1m</c> points.
/// </summary>
/// <remarks>
/// <para>State lives in flat arrays indexed by the registry's dense device number, with
/// <see cref="MinuteAggregatorOptions.SlotsPerDevice"/> metric slots per device: adding a reading allocates nothing
/// (the arrays grow only when a device number beyond them appears).</para>
/// <para>A device's minute is written when <see cref="CloseUpTo"/> is given a watermark at or past the minute's end,
/// or earlier, when a reading of a later minute arrives and every sequence number the minute can hold has been
/// aggregated: a device numbers its readings in the order it takes them, so the minute holds the sequences after the
/// last one its previous written minute held, up to the new reading's. When one of those is missing (a reading
/// still in the producer queue of the gateway the device left while Kafka was away lands after the readings it sent
/// through another gateway), the minute is held aside, at most one per device, until the missing reading fills the
/// gap, the device starts a third minute, or the watermark passes the minute's end. A reading for a minute before the
/// device's open and held minutes, or for one already written, comes too late and is only counted in
/// <see cref="LateReadings"/>: a minute is one point, never a second one with the same time.</para>
/// <para>A reading is counted once however often Kafka holds it: a device sequence number already aggregated (a
/// device's QoS 1 retry, a gateway's resend after a reconnect) is only counted in <see cref="DuplicateReadings"/>.
/// Each device keeps its highest sequence and a 64-bit mask of the 64 sequences up to it, so a reading delivered up to
/// 63 sequences out of order still counts; one further behind is taken for a device that restarted its counter.</para>
/// <para>Not thread-safe: the processor's consume thread owns it.</para>
/// </remarks>
public sealed partial class MinuteAggregator
{
    /// <summary>Length of an aggregation window.</summary>
    public const long MinuteMs = 60_000;

    private const long NoMinute = long.MinValue;
    private const int NotHeld = -1;

    // Per device: its open minute (block = device number in _open) and the highest sequence in it, the last minute
    // written, its held minute's block in _held, its sequence window, and the first sequence no written minute can
    // hold (the one after the highest of the minutes written, or the first one seen).
    private long[] _minute = [];
    private ulong[] _minuteSequence = [];
    private long[] _written = [];
    private int[] _heldBlock = [];
    private DeviceInfo?[] _device = [];
    private ulong[] _highestSequence = [];
    private ulong[] _sequencesSeen = [];
    private ulong[] _expectedFrom = [];
    private readonly MinuteSlots _open;
    private int _openDevices;

    // Held minutes: per block its minute, the highest sequence in it and its device (-1: free), and the free blocks.
    private readonly MinuteSlots _held;
    private long[] _heldMinute = [];
    private ulong[] _heldSequence = [];
    private int[] _heldDevice = [];
    private int[] _freeHeld = [];
    private int _freeHeldCount;

    // Equal to the held blocks taken, kept apart so the store sink's instruments read it from another thread as one
    // field, never between a growth of the pool and its free list.
    private int _heldMinutes;

    /// <summary>Creates an aggregator with no device state yet.</summary>
    public MinuteAggregator(MinuteAggregatorOptions? options = null)
    {
        options ??= MinuteAggregatorOptions.Default;
        options.Validate();
        _open = new MinuteSlots(options.SlotsPerDevice);
        _held = new MinuteSlots(options.SlotsPerDevice);
        Grow(options.InitialDevices);
    }

    /// <summary>Readings for a minute the device had already closed (not aggregated).</summary>
    public long LateReadings { get; private set; }

    /// <summary>Readings whose device sequence number was already aggregated (duplicates in Kafka; not aggregated).</summary>
    public long DuplicateReadings { get; private set; }

    /// <summary>Metric values not aggregated because their device already had every slot taken that minute.</summary>
    public long OverflowValues { get; private set; }

    /// <summary>Aggregate points written.</summary>
    public long MinutesWritten { get; private set; }

    /// <summary>Devices with a minute not yet written.</summary>
    public int OpenDevices => _openDevices;

    /// <summary>Minutes held aside until a reading missing from them arrives or the watermark passes them.</summary>
    public int HeldMinutes => _heldMinutes;

    /// <summary>
    /// Adds one reading of device <paramref name="number"/>. When it starts a later minute for the device, the
    /// previous minute's point is written to <paramref name="output"/> first, or held aside while a reading before it
    /// is missing.
    /// </summary>
    public void Add(int number, DeviceInfo device, TelemetryFrame reading, LineProtocolWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        if (number >= _minute.Length)
        {
            Grow(Math.Max(number + 1, _minute.Length * 2));
        }

        var sequence = reading.Sequence;
        if (SeenBefore(number, sequence))
        {
            DuplicateReadings++;
            return;
        }

        var minute = MinuteOf(reading.EventTimeMs);
        var held = _heldBlock[number];
        if (held != NotHeld && minute == _heldMinute[held])
        {
            _device[number] = device;
            AccumulateMetrics(_held, held, reading);
            _heldSequence[held] = Math.Max(_heldSequence[held], sequence);
            if (!AnyMissing(number, _expectedFrom[number], _heldSequence[held]))
            {
                // The missing reading arrived: the held minute is whole.
                WriteHeld(number, output);
            }

            return;
        }

        var open = _minute[number];
        if ((open != NoMinute && minute < open) || minute <= _written[number] || (held != NotHeld && minute < _heldMinute[held]))
        {
            LateReadings++;
            return;
        }

        if (open != NoMinute && minute > open)
        {
            if (held != NotHeld)
            {
                // One minute held per device: the older one is written as it stands.
                WriteHeld(number, output);
            }

            if (sequence == 0 || !AnyMissing(number, _expectedFrom[number], sequence - 1))
            {
                WriteOpen(number, output);
            }
            else
            {
                Hold(number);
            }
        }

        if (_minute[number] == NoMinute)
        {
            _minute[number] = minute;
            _minuteSequence[number] = sequence;
            _openDevices++;
        }

        _device[number] = device;
        _minuteSequence[number] = Math.Max(_minuteSequence[number], sequence);
        AccumulateMetrics(_open, number, reading);
    }

    /// <summary>Writes every open or held minute that ends at or before <paramref name="watermarkMs"/> (event time).</summary>
    public void CloseUpTo(long watermarkMs, LineProtocolWriter output)
    {
        if (_heldMinutes != 0)
        {
            for (var block = 0; block < _heldDevice.Length; block++)
            {
                if (_heldDevice[block] >= 0 && _heldMinute[block] + MinuteMs <= watermarkMs)
                {
                    WriteHeld(_heldDevice[block], output);
                }
            }
        }

        if (_openDevices == 0)
        {
            return;
        }

        for (var number = 0; number < _minute.Length; number++)
        {
            var open = _minute[number];
            if (open != NoMinute && open + MinuteMs <= watermarkMs)
            {
                WriteOpen(number, output);
            }
        }
    }

    /// <summary>The start of the minute <paramref name="timeMs"/> (Unix ms) is in: the time of its aggregate point.</summary>
    public static long MinuteOf(long timeMs) => timeMs - (((timeMs % MinuteMs) + MinuteMs) % MinuteMs);

    /// <summary>Writes every open and held minute, whatever its end (at shutdown).</summary>
    public void CloseAll(LineProtocolWriter output) => CloseUpTo(long.MaxValue, output);

    // Marks the device's sequence as aggregated; true when it already was. Bit i of the mask is the sequence i below
    // the highest; a mask of 0 means no sequence yet. A device seen for the first time, or whose counter jumped or
    // restarted, expects nothing before the sequence.
    private bool SeenBefore(int number, ulong sequence)
    {
        ref var highest = ref _highestSequence[number];
        ref var seen = ref _sequencesSeen[number];
        if (seen == 0 || sequence > highest)
        {
            var ahead = seen == 0 ? 64 : sequence - highest;
            seen = ahead >= 64 ? 1UL : (seen << (int)ahead) | 1UL;
            highest = sequence;
            if (ahead >= 64)
            {
                _expectedFrom[number] = sequence;
            }

            return false;
        }

        var behind = highest - sequence;
        if (behind >= 64)
        {
            // Further back than the mask reaches: a device that restarted its counter, not a retry.
            highest = sequence;
            seen = 1UL;
            _expectedFrom[number] = sequence;
            return false;
        }

        var bit = 1UL << (int)behind;
        if ((seen & bit) != 0)
        {
            return true;
        }

        seen |= bit;
        return false;
    }

    // Whether a sequence in [from, to] has not been aggregated yet. Sequences below the window (more than 63 below the
    // highest) are taken as lost, not missing: they no longer hold a minute back.
    private bool AnyMissing(int number, ulong from, ulong to)
    {
        var highest = _highestSequence[number];
        to = Math.Min(to, highest);
        if (to < from || highest - to >= 64)
        {
            return false;
        }

        // Bits (highest - to) .. (highest - from), the latter at most 63.
        var low = (int)(highest - to);
        var high = (int)Math.Min(highest - from, 63);
        var bits = (high == 63 ? ulong.MaxValue : (1UL << (high + 1)) - 1) & ~((1UL << low) - 1);
        return (~_sequencesSeen[number] & bits) != 0;
    }

    private void AccumulateMetrics(MinuteSlots slots, int block, TelemetryFrame reading)
    {
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var value = reading.GetMetric(i);
            if (double.IsFinite(value.Value) && !slots.Accumulate(block, value.Metric, value.Value))
            {
                OverflowValues++;
            }
        }
    }

    // Moves the device's open minute into a held block.
    private void Hold(int number)
    {
        if (_freeHeldCount == 0)
        {
            GrowHeld(Math.Max(64, _heldDevice.Length * 2));
        }

        var block = _freeHeld[--_freeHeldCount];
        _open.MoveTo(number, _held, block);
        _heldMinute[block] = _minute[number];
        _heldSequence[block] = _minuteSequence[number];
        _heldDevice[block] = number;
        _heldBlock[number] = block;
        _heldMinutes++;
        _minute[number] = NoMinute;
        _openDevices--;
    }

    private void Grow(int devices)
    {
        var before = _minute.Length;
        Array.Resize(ref _minute, devices);
        _minute.AsSpan(before).Fill(NoMinute);
        Array.Resize(ref _minuteSequence, devices);
        Array.Resize(ref _expectedFrom, devices);
        Array.Resize(ref _written, devices);
        _written.AsSpan(before).Fill(NoMinute);
        Array.Resize(ref _heldBlock, devices);
        _heldBlock.AsSpan(before).Fill(NotHeld);
        Array.Resize(ref _device, devices);
        Array.Resize(ref _highestSequence, devices);
        Array.Resize(ref _sequencesSeen, devices);
        _open.Grow(devices);
    }

    private void GrowHeld(int blocks)
    {
        var before = _heldDevice.Length;
        _held.Grow(blocks);
        Array.Resize(ref _heldMinute, blocks);
        Array.Resize(ref _heldSequence, blocks);
        Array.Resize(ref _heldDevice, blocks);
        _heldDevice.AsSpan(before).Fill(-1);
        Array.Resize(ref _freeHeld, blocks);
        for (var block = blocks - 1; block >= before; block--)
        {
            _freeHeld[_freeHeldCount++] = block;
        }
    }
}
