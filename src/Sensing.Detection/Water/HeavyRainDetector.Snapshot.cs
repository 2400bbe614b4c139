using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-gauge state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>): the rain window and the alert latch.</summary>
public sealed partial class HeavyRainDetector
{
    internal void WriteState(int index, StateWriter writer)
    {
        ref var gauge = ref _gauges[index];
        writer.WriteInt64(gauge.BucketMs);
        writer.WriteInt64(gauge.LastBucket);
        writer.WriteStruct(in gauge.Sum);
        writer.WriteInt32(gauge.Buckets);
        foreach (var mm in _buckets.AsSpan(gauge.Offset, gauge.Buckets))
        {
            writer.WriteStruct(in mm);
        }

        _track.WriteState(index, writer);
    }

    internal void ReadState(int index, ref StateReader reader)
    {
        ref var gauge = ref _gauges[index];
        var bucketMs = reader.ReadInt64();
        var lastBucket = reader.ReadInt64();
        var sum = reader.ReadStruct<double>();
        var buckets = reader.ReadInt32();
        if (buckets < 0 || buckets > reader.Remaining / sizeof(double))
        {
            throw new InvalidDataException("detection snapshot: bad rain window length");
        }

        var ring = reader.Take(buckets * sizeof(double));
        _track.ReadState(index, ref reader);
        gauge.Released = false;
        if (buckets != gauge.Buckets || bucketMs != gauge.BucketMs)
        {
            // A window of another shape (the options changed since): the window starts empty.
            return;
        }

        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(ring).CopyTo(_buckets.AsSpan(gauge.Offset, gauge.Buckets));
        gauge.LastBucket = lastBucket;
        gauge.Sum = sum;
    }

    /// <summary>The gauge's readings go to another engine: its window stops sliding here until it is heard here again.</summary>
    internal void Release(int index) => _gauges[index].Released = true;
}
