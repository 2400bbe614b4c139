using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Sensing.Detection;

namespace Sensing.Processor;

/// <summary>
/// The records of <c>sensing.checkpoints</c> for one telemetry partition: the offset of the next record to read, the
/// event-time watermark, and the detection state of the partition's devices after every record before that offset
/// (<see cref="DetectionEngine.WriteSnapshot"/>), split into chunks of at most <see cref="ProcessorOptions.CheckpointChunkBytes"/>
/// so a large partition stays under the broker's message size limit (Kafka 0.9: <c>message.max.bytes</c> 1,000,012).
/// <para>
/// Each chunk: version byte, generation, next offset and watermark (int64 little-endian), chunk index and chunk count
/// (int32), then its piece of the snapshot, Brotli-compressed (<see cref="Compress"/>): the pieces of chunks 0..count-1
/// in order are one compressed stream. Chunk 0 has, between its header and its piece, the repairs position: a count
/// (int32) and per <c>sensing.alerts</c> partition its number (int32) and the offset of the next record to read
/// (int64), or a count of -1 for no known position, so the "repaired" reports the state has taken are known with it
/// (TelemetryProcessor.Repairs.cs); then the snapshot's length before compression (int64). Version 3 chunks (the
/// snapshot not compressed, no length) and version 2 chunks (nor the repairs position) are still read. Keys:
/// <c>GROUP/TOPIC/PARTITION/SLOT/CHUNK</c>. Checkpoints alternate
/// between two slots, so a crash while one is being written leaves the previous one whole in the other slot; the
/// generation grows with every checkpoint of the partition. A consistent checkpoint is every chunk 0..count-1 of one
/// slot carrying the same generation; chunks left over in the compacted topic by an earlier, larger checkpoint carry
/// an older generation and are ignored.
/// </para>
/// </summary>
public static class PartitionCheckpoint
{
    /// <summary>Format version of the chunk header (the engine's snapshot carries its own).</summary>
    public const byte Version = 4;

    // The earlier formats, still read: the snapshot not compressed; and without the repairs position either.
    private const byte VersionUncompressed = 3;
    private const byte VersionWithoutRepairs = 2;

    // Brotli quality 1 with a 4 MiB window: a city's snapshot is mostly alert latches and structs repeated device
    // after device. Measured on the default city after three readings of every device, six partitions (210.9 MB of
    // state): 4.2-4.5 MB of chunks in 123-129 ms, against 8.8-9.1 MB in 141-144 ms for zlib at its fastest
    // (bench/README.md, "Checkpoints compressed"; `Sensing.Benchmarks checkpoint-size`).
    private const int Quality = 1;
    private const int Window = 22;

    /// <summary>Bytes of a chunk before its piece of the snapshot.</summary>
    public const int HeaderLength = 1 + 8 + 8 + 8 + 4 + 4;

    /// <summary>
    /// The key prefix of <paramref name="partition"/> of <paramref name="telemetryTopic"/> as consumed by
    /// <paramref name="groupId"/> (two processor groups over one topic keep separate checkpoints), ending in '/'.
    /// </summary>
    public static string PrefixOf(string groupId, string telemetryTopic, int partition) =>
        groupId + "/" + telemetryTopic + "/" + partition.ToString(CultureInfo.InvariantCulture) + "/";

    /// <summary>The key of chunk <paramref name="chunk"/> in <paramref name="slot"/> (0 or 1) under <paramref name="prefix"/>.</summary>
    public static string KeyOf(string prefix, int slot, int chunk) =>
        prefix + slot.ToString(CultureInfo.InvariantCulture) + "/" + chunk.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Splits <paramref name="snapshot"/> into chunk records (key, value) of at most <paramref name="chunkBytes"/> bytes
    /// each, header included; chunk 0 also carries <paramref name="repairs"/> (per alerts partition, the next offset
    /// to read; null: not known).
    /// </summary>
    public static List<(string Key, byte[] Value)> Split(
        string prefix, int slot, long generation, long nextOffset, long watermarkMs, ReadOnlySpan<byte> snapshot, int chunkBytes,
        IReadOnlyDictionary<int, long>? repairs = null)
    {
        var compressed = Compress(snapshot);
        var uncompressedLength = snapshot.Length;
        snapshot = compressed.WrittenSpan;

        // Chunk 0 carries the repairs position and the snapshot's length before compression.
        var repairsLength = 4 + ((repairs?.Count ?? 0) * (4 + 8)) + 8;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(chunkBytes, HeaderLength + repairsLength);
        var piece = chunkBytes - HeaderLength;

        // Chunk 0's piece is shorter by the repairs position; the rest follow on from where it ends.
        var firstPiece = Math.Min(snapshot.Length, piece - repairsLength);
        var count = 1 + ((snapshot.Length - firstPiece + piece - 1) / piece);
        var chunks = new List<(string, byte[])>(count);
        for (var index = 0; index < count; index++)
        {
            var start = index == 0 ? 0 : firstPiece + ((index - 1) * piece);
            var part = snapshot.Slice(start, index == 0 ? firstPiece : Math.Min(piece, snapshot.Length - start));
            var extra = index == 0 ? repairsLength : 0;
            var value = new byte[HeaderLength + extra + part.Length];
            value[0] = Version;
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(1), generation);
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(9), nextOffset);
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(17), watermarkMs);
            BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(25), index);
            BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(29), count);
            if (index == 0)
            {
                WriteRepairs(value.AsSpan(HeaderLength, repairsLength - 8), repairs);
                BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(HeaderLength + repairsLength - 8), uncompressedLength);
            }

            part.CopyTo(value.AsSpan(HeaderLength + extra));
            chunks.Add((KeyOf(prefix, slot, index), value));
        }

        return chunks;
    }

    /// <summary>
    /// <paramref name="snapshot"/> compressed with Brotli (RFC 7932; the runtime's <see cref="BrotliEncoder"/>) at
    /// quality 1: a checkpoint is written every few seconds on the processor's consume thread, so speed counts more
    /// than the last few percent of size.
    /// </summary>
    private static ArrayBufferWriter<byte> Compress(ReadOnlySpan<byte> snapshot)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(4096, snapshot.Length / 32));
        using var encoder = new BrotliEncoder(Quality, Window);
        while (true)
        {
            var status = encoder.Compress(snapshot, output.GetSpan(64 * 1024), out var consumed, out var written, isFinalBlock: true);
            output.Advance(written);
            snapshot = snapshot[consumed..];
            if (status == OperationStatus.Done)
            {
                return output;
            }

            if (status != OperationStatus.DestinationTooSmall)
            {
                throw new InvalidOperationException($"checkpoint: Brotli compression stopped with {status}");
            }
        }
    }

    /// <summary>
    /// Finds the newest consistent checkpoint under <paramref name="prefix"/> in <paramref name="latest"/> (the compacted
    /// topic's latest value per key). False when there is none; <paramref name="problem"/> then says why when chunks
    /// were found (another format, an incomplete checkpoint). <paramref name="highestGeneration"/> is the highest
    /// generation of any chunk found (0 for none), so the next checkpoint is written above every leftover.
    /// </summary>
    public static bool TryRestore(
        IReadOnlyDictionary<string, byte[]> latest, string prefix, out Restored restored, out long highestGeneration, out string? problem)
    {
        // Per slot: the chunks by index (key), parsed.
        var slots = new[] { new Dictionary<int, Chunk>(), new Dictionary<int, Chunk>() };
        highestGeneration = 0;
        problem = null;
        foreach (var (key, value) in latest)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.AsSpan(prefix.Length);
            var slash = rest.IndexOf('/');
            if (slash != 1 || rest[0] is not ('0' or '1')
                || !int.TryParse(rest[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            if (value.Length < HeaderLength || value[0] is not (Version or VersionUncompressed or VersionWithoutRepairs))
            {
                problem = $"chunk {key} is not a version {VersionWithoutRepairs}-{Version} checkpoint chunk";
                continue;
            }

            var chunk = new Chunk(
                BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(1)),
                BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(9)),
                BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(17)),
                BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(25)),
                BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(29)),
                value[0],
                value);
            if (chunk.Index != index)
            {
                problem = $"chunk {key} says it is chunk {chunk.Index}";
                continue;
            }

            highestGeneration = Math.Max(highestGeneration, chunk.Generation);
            slots[rest[0] - '0'][index] = chunk;
        }

        restored = default;
        var found = false;
        for (var slot = 0; slot < 2; slot++)
        {
            if (TryAssemble(slots[slot], slot, out var candidate, out var broken) && (!found || candidate.Generation > restored.Generation))
            {
                restored = candidate;
                found = true;
            }
            else if (slots[slot].Count > 0 && !found)
            {
                problem ??= broken ?? $"slot {slot} holds an incomplete checkpoint";
            }
        }

        if (found)
        {
            problem = null;
        }
        else if (latest.ContainsKey(prefix[..^1]))
        {
            // Version 1 wrote one record per partition under the prefix without its trailing '/'.
            problem ??= "only a checkpoint of the earlier one-record format";
        }

        return found;
    }

    // Every chunk 0..count-1 of the slot's chunk 0's generation, with the same count, offset and watermark; a whole set
    // that does not decompress to the length it states is named in broken.
    private static bool TryAssemble(Dictionary<int, Chunk> chunks, int slot, out Restored restored, out string? broken)
    {
        restored = default;
        broken = null;
        if (!chunks.TryGetValue(0, out var first) || first.Count < 1)
        {
            return false;
        }

        var length = 0L;
        for (var index = 0; index < first.Count; index++)
        {
            if (!chunks.TryGetValue(index, out var chunk) || chunk.Generation != first.Generation || chunk.Count != first.Count
                || chunk.NextOffset != first.NextOffset || chunk.WatermarkMs != first.WatermarkMs || chunk.Version != first.Version)
            {
                return false;
            }

            length += chunk.Value.Length - HeaderLength;
        }

        Dictionary<int, long>? repairs = null;
        var skip = 0;
        if (first.Version != VersionWithoutRepairs && !TryReadRepairs(first.Value.AsSpan(HeaderLength), out repairs, out skip))
        {
            return false;
        }

        var uncompressedLength = -1L;
        if (first.Version == Version)
        {
            if (first.Value.Length < HeaderLength + skip + 8)
            {
                return false;
            }

            uncompressedLength = BinaryPrimitives.ReadInt64LittleEndian(first.Value.AsSpan(HeaderLength + skip));
            skip += 8;
            if (uncompressedLength < 0 || uncompressedLength > Array.MaxLength)
            {
                broken = $"slot {slot} (generation {first.Generation}) states an impossible length, {uncompressedLength} bytes";
                return false;
            }
        }

        length -= skip;

        if (length > Array.MaxLength)
        {
            return false;
        }

        var stored = new byte[length];
        var at = 0;
        for (var index = 0; index < first.Count; index++)
        {
            var piece = chunks[index].Value.AsSpan(HeaderLength + (index == 0 ? skip : 0));
            piece.CopyTo(stored.AsSpan(at));
            at += piece.Length;
        }

        var snapshot = stored;
        if (uncompressedLength >= 0)
        {
            snapshot = new byte[uncompressedLength];
            if (!BrotliDecoder.TryDecompress(stored, snapshot, out var written) || written != uncompressedLength)
            {
                broken = $"slot {slot} (generation {first.Generation}) does not decompress to the {uncompressedLength} bytes it states";
                return false;
            }
        }

        restored = new Restored(slot, first.Generation, first.Count, first.NextOffset, first.WatermarkMs, snapshot, repairs, stored.Length);
        return true;
    }

    private static void WriteRepairs(Span<byte> output, IReadOnlyDictionary<int, long>? repairs)
    {
        // -1: no position known (the partition takes the reports from the end of the topic on when restored).
        BinaryPrimitives.WriteInt32LittleEndian(output, repairs?.Count ?? -1);
        var at = 4;
        foreach (var (partition, next) in repairs ?? new Dictionary<int, long>())
        {
            BinaryPrimitives.WriteInt32LittleEndian(output[at..], partition);
            BinaryPrimitives.WriteInt64LittleEndian(output[(at + 4)..], next);
            at += 4 + 8;
        }
    }

    private static bool TryReadRepairs(ReadOnlySpan<byte> input, out Dictionary<int, long>? repairs, out int length)
    {
        repairs = null;
        length = 0;
        if (input.Length < 4)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(input);
        if (count == -1)
        {
            length = 4;
            return true;
        }

        if (count < 0 || count > (input.Length - 4) / 12)
        {
            return false;
        }

        repairs = new Dictionary<int, long>(count);
        for (var i = 0; i < count; i++)
        {
            var entry = input.Slice(4 + (i * 12), 12);
            repairs[BinaryPrimitives.ReadInt32LittleEndian(entry)] = BinaryPrimitives.ReadInt64LittleEndian(entry[4..]);
        }

        length = 4 + (count * 12);
        return true;
    }

    /// <summary>
    /// A consistent checkpoint: where it was found, its generation and chunk count, the offset and watermark it
    /// reflects, the engine's snapshot (decompressed), the repairs position (per <c>sensing.alerts</c> partition, the
    /// next offset to read; null for a checkpoint of the earlier format, written before repairs were taken), and the
    /// snapshot's bytes as stored in the chunks (compressed from version 4 on).
    /// </summary>
    public readonly record struct Restored(
        int Slot, long Generation, int Chunks, long NextOffset, long WatermarkMs, byte[] Snapshot, IReadOnlyDictionary<int, long>? Repairs,
        long StoredBytes);

    private readonly record struct Chunk(long Generation, long NextOffset, long WatermarkMs, int Index, int Count, byte Version, byte[] Value);
}
