using Sensing.Processor;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// A partition's checkpoint split into chunk records and put back together, without servers: the compacted topic's
/// latest value per key is a dictionary here, with the leftovers a real topic keeps (an earlier, larger checkpoint's
/// chunks; a checkpoint cut short by a crash).
/// </summary>
[TestFixture]
public sealed class PartitionCheckpointTests
{
    private const string Prefix = "g/sensing.telemetry/1/";

    [Test]
    public void Split_SnapshotOfThreeChunks_EveryChunkWithinTheLimitAndRestoredWhole()
    {
        var snapshot = Bytes(2_500_000, seed: 1);
        var latest = new Dictionary<string, byte[]>();

        var chunks = Put(latest, slot: 0, generation: 7, snapshot, nextOffset: 4242);

        Assert.Multiple(() =>
        {
            Assert.That(chunks.Count, Is.EqualTo(5), "2,500,000 bytes in chunks of 524,288 less the header");
            Assert.That(chunks.Select(c => c.Value.Length), Has.All.LessThanOrEqualTo(512 * 1024));
            Assert.That(chunks.Select(c => c.Key), Is.EqualTo(Enumerable.Range(0, 5).Select(i => Prefix + "0/" + i)));
            Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out var highest, out var problem), Is.True, problem);
            Assert.That(restored.Snapshot, Is.EqualTo(snapshot));
            Assert.That((restored.Generation, restored.Chunks, restored.NextOffset, restored.WatermarkMs, restored.Slot), Is.EqualTo((7L, 5, 4242L, 99L, 0)));
            Assert.That(highest, Is.EqualTo(7));
        });
    }

    [Test]
    public void TryRestore_StaleChunksOfAnEarlierLargerCheckpoint_Ignored()
    {
        // Generation 1 took four chunks in slot 0; generation 3 takes two and overwrites only chunks 0 and 1.
        var latest = new Dictionary<string, byte[]>();
        Put(latest, slot: 0, generation: 1, Bytes(1_800_000, seed: 2), nextOffset: 10);
        var smaller = Bytes(700_000, seed: 3);
        Put(latest, slot: 0, generation: 3, smaller, nextOffset: 30);

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out _, out var problem), Is.True, problem);
        Assert.That((restored.Generation, restored.Chunks, restored.NextOffset), Is.EqualTo((3L, 2, 30L)));
        Assert.That(restored.Snapshot, Is.EqualTo(smaller));
    }

    [Test]
    public void TryRestore_NewestCheckpointCutShort_PreviousCheckpointOfTheOtherSlotRestored()
    {
        // Generation 2 whole in slot 1; generation 3 was being written to slot 0 over generation 1 when the process died:
        // its chunk 0 arrived, chunks 1 and 2 are still generation 1's.
        var latest = new Dictionary<string, byte[]>();
        Put(latest, slot: 0, generation: 1, Bytes(1_200_000, seed: 4), nextOffset: 10);
        var previous = Bytes(1_300_000, seed: 5);
        Put(latest, slot: 1, generation: 2, previous, nextOffset: 20);
        var torn = new Dictionary<string, byte[]>();
        Put(torn, slot: 0, generation: 3, Bytes(1_400_000, seed: 6), nextOffset: 30);
        latest[Prefix + "0/0"] = torn[Prefix + "0/0"];

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out var highest, out var problem), Is.True, problem);
        Assert.Multiple(() =>
        {
            Assert.That((restored.Generation, restored.Slot, restored.NextOffset), Is.EqualTo((2L, 1, 20L)));
            Assert.That(restored.Snapshot, Is.EqualTo(previous));
            Assert.That(highest, Is.EqualTo(3), "the next checkpoint is written above the torn one");
        });
    }

    [Test]
    public void TryRestore_OnlyAnIncompleteCheckpoint_FalseNamingTheProblem()
    {
        var latest = new Dictionary<string, byte[]>();
        Put(latest, slot: 0, generation: 1, Bytes(1_200_000, seed: 7), nextOffset: 10);
        latest.Remove(Prefix + "0/1");

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out _, out var highest, out var problem), Is.False);
        Assert.That(problem, Does.Contain("incomplete"));
        Assert.That(highest, Is.EqualTo(1));
    }

    [Test]
    public void TryRestore_OtherPartitionsGroupsAndFormats_LeftAlone()
    {
        // Partition 10 shares the text "1" with partition 1; an earlier format's key has no slot; another group's keys.
        var latest = new Dictionary<string, byte[]>
        {
            ["g/sensing.telemetry/1"] = [1, 0, 0, 0],
        };
        Put(latest, slot: 0, generation: 5, Bytes(1000, seed: 8), nextOffset: 50, prefix: "g/sensing.telemetry/10/");
        Put(latest, slot: 1, generation: 6, Bytes(1000, seed: 9), nextOffset: 60, prefix: "h/sensing.telemetry/1/");
        var own = Bytes(1000, seed: 10);
        Put(latest, slot: 1, generation: 2, own, nextOffset: 20);

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out var highest, out var problem), Is.True, problem);
        Assert.That((restored.Generation, restored.NextOffset, highest), Is.EqualTo((2L, 20L, 2L)));
        Assert.That(restored.Snapshot, Is.EqualTo(own));
    }

    [Test]
    public void TryRestore_OnlyTheEarlierOneRecordFormat_FalseNamingIt()
    {
        var latest = new Dictionary<string, byte[]> { ["g/sensing.telemetry/1"] = [1, 0, 0, 0] };

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out _, out var highest, out var problem), Is.False);
        Assert.That(problem, Does.Contain("earlier one-record format"));
        Assert.That(highest, Is.Zero);
    }

    [Test]
    public void TryRestore_ChunkOfAnotherVersion_NotUsed()
    {
        var latest = new Dictionary<string, byte[]>();
        Put(latest, slot: 0, generation: 1, Bytes(1000, seed: 11), nextOffset: 10);
        latest[Prefix + "0/0"][0] = PartitionCheckpoint.Version + 1;

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out _, out _, out var problem), Is.False);
        Assert.That(problem, Does.Contain("not a version"));
    }

    [Test]
    public void Split_WithRepairsPosition_RestoredWithTheSnapshotWhole()
    {
        // Just past one chunk once the position takes its room in chunk 0.
        var snapshot = Bytes((512 * 1024) - PartitionCheckpoint.HeaderLength - 10, seed: 12);
        var repairs = new Dictionary<int, long> { [0] = 17, [1] = 0, [2] = 123_456_789_012 };
        var latest = new Dictionary<string, byte[]>();
        var chunks = PartitionCheckpoint.Split(Prefix, 1, 3, 50, 99, snapshot, 512 * 1024, repairs);
        foreach (var (key, value) in chunks)
        {
            latest[key] = value;
        }

        Assert.Multiple(() =>
        {
            Assert.That(chunks, Has.Count.EqualTo(2));
            Assert.That(chunks.Select(c => c.Value.Length), Has.All.LessThanOrEqualTo(512 * 1024));
            Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out _, out var problem), Is.True, problem);
            Assert.That(restored.Snapshot, Is.EqualTo(snapshot));
            Assert.That(restored.Repairs, Is.EquivalentTo(repairs));
        });
    }

    [Test]
    public void TryRestore_ChunkOfTheFormatBeforeRepairs_RestoredWithoutARepairsPosition()
    {
        // Version 2 had no repairs position: its chunk is the header and the snapshot.
        var snapshot = Bytes(1000, seed: 13);
        var chunk = PartitionCheckpoint.Split(Prefix, 0, 4, 10, 99, [], 512 * 1024).Single().Value[..PartitionCheckpoint.HeaderLength];
        chunk[0] = 2;
        var latest = new Dictionary<string, byte[]> { [Prefix + "0/0"] = [.. chunk, .. snapshot] };

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out _, out var problem), Is.True, problem);
        Assert.Multiple(() =>
        {
            Assert.That(restored.Snapshot, Is.EqualTo(snapshot));
            Assert.That(restored.Repairs, Is.Null);
            Assert.That(restored.NextOffset, Is.EqualTo(10));
        });
    }

    [Test]
    public void Split_StateRepeatedDeviceAfterDevice_StoredCompressedAndRestoredWhole()
    {
        // 20,000 records of 900 bytes shaped like a device's state: an id, a few changing numbers, the rest zero (latches
        // not raised). A city's partition is this, only larger.
        var snapshot = new byte[20_000 * 900];
        for (var device = 0; device < 20_000; device++)
        {
            var record = snapshot.AsSpan(device * 900, 900);
            System.Text.Encoding.ASCII.GetBytes($"gm-{device:D6}").CopyTo(record);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record[16..], 1_765_000_000_000 + (device * 7919L));
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(record[24..], device * 0.37);
        }

        var latest = new Dictionary<string, byte[]>();
        var chunks = Put(latest, slot: 1, generation: 9, snapshot, nextOffset: 77);
        var stored = chunks.Sum(c => c.Value.Length);

        TestContext.Progress.WriteLine($"compressed checkpoint: {snapshot.Length:N0} bytes of state in {chunks.Count} chunk(s), {stored:N0} bytes");
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.LessThan(snapshot.Length / 20), "the chunks hold the state compressed");
            Assert.That(chunks.Select(c => c.Value[0]), Has.All.EqualTo(PartitionCheckpoint.Version));
            Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out _, out var problem), Is.True, problem);
            Assert.That(restored.Snapshot, Is.EqualTo(snapshot));
            Assert.That((restored.NextOffset, restored.StoredBytes), Is.EqualTo((77L, (long)(stored - (chunks.Count * PartitionCheckpoint.HeaderLength) - 4 - 8))));
        });
    }

    [Test]
    public void TryRestore_ChunksOfTheUncompressedFormat_StillRead()
    {
        // Version 3: header, repairs position, then the snapshot as it is.
        var snapshot = Bytes(1000, seed: 14);
        var header = PartitionCheckpoint.Split(Prefix, 0, 5, 10, 99, [], 512 * 1024).Single().Value[..PartitionCheckpoint.HeaderLength];
        header[0] = 3;
        // One position: count 1, alerts partition 2, next offset 40.
        byte[] repairs = [1, 0, 0, 0, 2, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0];
        var latest = new Dictionary<string, byte[]> { [Prefix + "0/0"] = [.. header, .. repairs, .. snapshot] };

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out var restored, out _, out var problem), Is.True, problem);
        Assert.Multiple(() =>
        {
            Assert.That(restored.Snapshot, Is.EqualTo(snapshot));
            Assert.That(restored.Repairs, Is.EquivalentTo(new Dictionary<int, long> { [2] = 40 }));
        });
    }

    [Test]
    public void TryRestore_CompressedPiecesCorrupted_FalseNamingTheSlot()
    {
        var latest = new Dictionary<string, byte[]>();
        var chunks = Put(latest, slot: 0, generation: 4, Bytes(3000, seed: 15), nextOffset: 10);
        var value = latest[chunks[0].Key];
        value.AsSpan(PartitionCheckpoint.HeaderLength + 4 + 8).Fill(0xFF);

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out _, out var highest, out var problem), Is.False);
        Assert.That(problem, Does.Contain("slot 0 (generation 4) does not decompress"));
        Assert.That(highest, Is.EqualTo(4));
    }

    [Test]
    public void TryRestore_CompressedChunkStatingANegativeLength_FalseNamingIt()
    {
        var latest = new Dictionary<string, byte[]>();
        var chunks = Put(latest, slot: 1, generation: 6, Bytes(3000, seed: 16), nextOffset: 10);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(latest[chunks[0].Key].AsSpan(PartitionCheckpoint.HeaderLength + 4), -5);

        Assert.That(PartitionCheckpoint.TryRestore(latest, Prefix, out _, out _, out var problem), Is.False);
        Assert.That(problem, Does.Contain("slot 1 (generation 6) states an impossible length, -5 bytes"));
    }

    [TestCase(1_000_000)]
    [TestCase(100)]
    public void Validate_ChunkBytesOutOfRange_ThrowsNamingTheKey(int bytes)
    {
        var options = ProcessorOptions.Default with { CheckpointChunkBytes = bytes };

        Assert.That(() => options.Validate(), Throws.ArgumentException.With.Message.StartsWith("processor.checkpointChunkBytes:"));
    }

    private static List<(string Key, byte[] Value)> Put(
        Dictionary<string, byte[]> latest, int slot, long generation, byte[] snapshot, long nextOffset, string prefix = Prefix)
    {
        var chunks = PartitionCheckpoint.Split(prefix, slot, generation, nextOffset, 99, snapshot, 512 * 1024);
        foreach (var (key, value) in chunks)
        {
            latest[key] = value;
        }

        return chunks;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
