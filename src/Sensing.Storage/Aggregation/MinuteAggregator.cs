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
/// <para>A device's minute is written when a reading of a later minute arrives for it, or when
/// <see cref="CloseUpTo"/> is given a watermark at or past the minute's end. A reading for a minute before the
/// device's open minute, or for the minute last written, comes too late (that minute was written) and is only counted
/// in <see cref="LateReadings"/>: a minute is one point, never a second one with the same time.</para>
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
    private readonly int _slots;
    private long[] _minute = [];
    private long[] _written = [];
    private DeviceInfo?[] _device = [];
    private byte[] _metric = [];
    private double[] _min = [];
    private double[] _max = [];
    private double[] _sum = [];
    private double[] _last = [];
    private long[] _count = [];
    private ulong[] _highestSequence = [];
    private ulong[] _sequencesSeen = [];
    private int _openDevices;

    /// <summary>Creates an aggregator with no device state yet.</summary>
    public MinuteAggregator(MinuteAggregatorOptions? options = null)
    {
        options ??= MinuteAggregatorOptions.Default;
        options.Validate();
        _slots = options.SlotsPerDevice;
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

    /// <summary>
    /// Adds one reading of device <paramref name="number"/>. When it starts a later minute for the device, the
    /// previous minute's point is written to <paramref name="output"/> first.
    /// </summary>
    public void Add(int number, DeviceInfo device, TelemetryFrame reading, LineProtocolWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        if (number >= _minute.Length)
        {
            Grow(Math.Max(number + 1, _minute.Length * 2));
        }

        if (SeenBefore(number, reading.Sequence))
        {
            DuplicateReadings++;
            return;
        }

        var minute = reading.EventTimeMs - (((reading.EventTimeMs % MinuteMs) + MinuteMs) % MinuteMs);
        var open = _minute[number];
        if ((open != NoMinute && minute < open) || minute <= _written[number])
        {
            LateReadings++;
            return;
        }

        if (open != NoMinute && minute > open)
        {
            Write(number, output);
        }

        if (_minute[number] == NoMinute)
        {
            _minute[number] = minute;
            _openDevices++;
        }

        _device[number] = device;
        var first = number * _slots;
        for (var i = 0; i < reading.MetricCount; i++)
        {
            var value = reading.GetMetric(i);
            if (double.IsFinite(value.Value))
            {
                Accumulate(first, value.Metric, value.Value);
            }
        }
    }

    /// <summary>Writes every open minute that ends at or before <paramref name="watermarkMs"/> (event time).</summary>
    public void CloseUpTo(long watermarkMs, LineProtocolWriter output)
    {
        if (_openDevices == 0)
        {
            return;
        }

        for (var number = 0; number < _minute.Length; number++)
        {
            var open = _minute[number];
            if (open != NoMinute && open + MinuteMs <= watermarkMs)
            {
                Write(number, output);
            }
        }
    }

    /// <summary>Writes every open minute, whatever its end (at shutdown).</summary>
    public void CloseAll(LineProtocolWriter output) => CloseUpTo(long.MaxValue, output);

    // Marks the device's sequence as aggregated; true when it already was. Bit i of the mask is the sequence i below
    // the highest; a mask of 0 means no sequence yet.
    private bool SeenBefore(int number, ulong sequence)
    {
        ref var highest = ref _highestSequence[number];
        ref var seen = ref _sequencesSeen[number];
        if (seen == 0 || sequence > highest)
        {
            var ahead = seen == 0 ? 64 : sequence - highest;
            seen = ahead >= 64 ? 1UL : (seen << (int)ahead) | 1UL;
            highest = sequence;
            return false;
        }

        var behind = highest - sequence;
        if (behind >= 64)
        {
            // Further back than the mask reaches: a device that restarted its counter, not a retry.
            highest = sequence;
            seen = 1UL;
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

    private void Accumulate(int first, Metric metric, double value)
    {
        var code = (byte)metric;
        for (var slot = first; slot < first + _slots; slot++)
        {
            if (_metric[slot] == code)
            {
                _min[slot] = Math.Min(_min[slot], value);
                _max[slot] = Math.Max(_max[slot], value);
                _sum[slot] += value;
                _last[slot] = value;
                _count[slot]++;
                return;
            }

            if (_metric[slot] == 0)
            {
                _metric[slot] = code;
                _min[slot] = value;
                _max[slot] = value;
                _sum[slot] = value;
                _last[slot] = value;
                _count[slot] = 1;
                return;
            }
        }

        OverflowValues++;
    }

    private void Grow(int devices)
    {
        var before = _minute.Length;
        Array.Resize(ref _minute, devices);
        _minute.AsSpan(before).Fill(NoMinute);
        Array.Resize(ref _written, devices);
        _written.AsSpan(before).Fill(NoMinute);
        Array.Resize(ref _device, devices);
        Array.Resize(ref _highestSequence, devices);
        Array.Resize(ref _sequencesSeen, devices);
        Array.Resize(ref _metric, devices * _slots);
        Array.Resize(ref _min, devices * _slots);
        Array.Resize(ref _max, devices * _slots);
        Array.Resize(ref _sum, devices * _slots);
        Array.Resize(ref _last, devices * _slots);
        Array.Resize(ref _count, devices * _slots);
    }
}
