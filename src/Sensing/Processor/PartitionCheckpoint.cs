using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Sensing.Detection;

namespace Sensing.Processor;

/// <summary>
/// One record of <c>sensing.checkpoints</c>: for one telemetry partition, the offset of the next record to read,
/// the event-time watermark, and the detection state of the partition's devices after every record before that
/// offset (<see cref="DetectionEngine.WriteSnapshot"/>). Layout: version byte, next offset and watermark (int64
/// little-endian), then the engine's snapshot.
/// </summary>
public static class PartitionCheckpoint
{
    /// <summary>Format version of the record's own header (the engine's snapshot carries its own).</summary>
    public const byte Version = 1;

    private const int HeaderLength = 1 + 8 + 8;

    /// <summary>
    /// The record key of <paramref name="partition"/> of <paramref name="telemetryTopic"/> as consumed by
    /// <paramref name="groupId"/>: two processor groups over one topic keep separate checkpoints.
    /// </summary>
    public static string KeyOf(string groupId, string telemetryTopic, int partition) =>
        groupId + "/" + telemetryTopic + "/" + partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a checkpoint of <paramref name="devices"/> (the partition's devices) into <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, long nextOffset, long watermarkMs, DetectionEngine engine, ReadOnlySpan<int> devices)
    {
        var header = output.GetSpan(HeaderLength);
        header[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(header[1..], nextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header[9..], watermarkMs);
        output.Advance(HeaderLength);
        engine.WriteSnapshot(devices, output);
    }

    /// <summary>Reads a checkpoint's header; <paramref name="snapshot"/> is the engine's part.</summary>
    /// <exception cref="InvalidDataException">Another version, or too short.</exception>
    public static void Read(ReadOnlySpan<byte> record, out long nextOffset, out long watermarkMs, out ReadOnlySpan<byte> snapshot)
    {
        if (record.Length < HeaderLength || record[0] != Version)
        {
            throw new InvalidDataException($"checkpoint: not a version {Version} record");
        }

        nextOffset = BinaryPrimitives.ReadInt64LittleEndian(record[1..]);
        watermarkMs = BinaryPrimitives.ReadInt64LittleEndian(record[9..]);
        snapshot = record[HeaderLength..];
    }
}
