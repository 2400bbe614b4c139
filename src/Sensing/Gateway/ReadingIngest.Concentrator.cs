using System.Buffers;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;

namespace Sensing.Gateway;

/// <summary>
/// A concentrator's batch (<see cref="ConcentratorBatch"/>): every item becomes the record the device's own PUBLISH
/// would have made (same decode, same frame, same key, <see cref="DeviceInfo.TelemetryKeyUtf8"/>), or a dead letter when the item names no device, an unknown
/// one or one outside the concentrator's <see cref="ConcentratorScope"/>; the other items are taken all the same.
/// </summary>
public sealed partial class ReadingIngest
{
    /// <summary>
    /// Decodes a concentrator's batch and hands its records to Kafka in item order. A malformed envelope makes one dead
    /// letter of the whole payload (keyed by the concentrator) and no reading. <paramref name="onDurable"/> runs once,
    /// after Kafka has acknowledged or failed every record of the batch: true only when all of them are in Kafka.
    /// </summary>
    public ValueTask IngestBatchAsync(
        DeviceInfo concentrator, ConcentratorScope scope, DeviceRegistry registry, ReadOnlySpan<byte> payload, long ingestTimeMs,
        Action<bool>? onDurable, CancellationToken cancellationToken)
    {
        // One pass finds the items and checks the whole envelope before any item is taken, so a batch cut short or
        // garbled is refused as one, not half taken.
        var items = ArrayPool<ItemRange>.Shared.Rent(Math.Max(1, ConcentratorBatch.MaxItems(payload)));
        var batch = new ConcentratorBatch(payload);
        var n = 0;
        while (batch.TryRead(out var deviceId, out var reading))
        {
            payload.Overlaps(deviceId, out var idStart);
            payload.Overlaps(reading, out var readingStart);
            items[n++] = new ItemRange(deviceId.IsEmpty ? 0 : idStart, deviceId.Length, readingStart, reading.Length);
        }

        if (batch.Error != PayloadError.None)
        {
            ArrayPool<ItemRange>.Shared.Return(items);
            _counters.DeadLettered(batch.Error);
            var letter = DeadLetter.Create(concentrator, batch.Error.ToString(), ingestTimeMs, payload);
            return Hand(new PendingRecord(_topics.DeadLetter, concentrator.IdUtf8, letter), onDurable, cancellationToken);
        }

        var records = ArrayPool<PendingRecord>.Shared.Rent(n);
        for (var i = 0; i < n; i++)
        {
            var item = items[i];
            records[i] = EncodeItem(concentrator, scope, registry, payload.Slice(item.IdStart, item.IdLength),
                payload.Slice(item.Start, item.Length), ingestTimeMs);
        }

        ArrayPool<ItemRange>.Shared.Return(items);
        Action<bool>? report = onDurable is null ? null : new BatchOutcome(n, onDurable).Report;
        return HandAll(records, 0, n, report, cancellationToken);
    }

    private PendingRecord EncodeItem(
        DeviceInfo concentrator, ConcentratorScope scope, DeviceRegistry registry, ReadOnlySpan<byte> deviceId, ReadOnlySpan<byte> reading, long ingestTimeMs)
    {
        var number = -1;
        var reason = deviceId.IsEmpty ? PayloadError.MissingDevice
            : !registry.TryFind(deviceId, out number) ? PayloadError.UnknownDevice
            : !scope.Serves(registry[number]) ? PayloadError.NotServedByConcentrator
            : PayloadError.None;
        if (reason == PayloadError.None)
        {
            return Encode(registry[number], reading, ingestTimeMs);
        }

        // Keyed by the concentrator, the one who sent it: the id the item names may belong to nobody.
        _counters.DeadLettered(reason);
        return new PendingRecord(_topics.DeadLetter, concentrator.IdUtf8,
            DeadLetter.CreateForItem(concentrator, deviceId, reason.ToString(), ingestTimeMs, reading));
    }

    /// <summary>Hands records [<paramref name="from"/>, <paramref name="count"/>) in order; returns the pooled array at the end.</summary>
    private ValueTask HandAll(PendingRecord[] records, int from, int count, Action<bool>? report, CancellationToken cancellationToken)
    {
        for (var i = from; i < count; i++)
        {
            var handed = Hand(records[i], report, cancellationToken);
            if (!handed.IsCompletedSuccessfully)
            {
                // Out of room: the rest follows once this one is in the client's hands, still in item order.
                return HandRestAsync(handed, records, i + 1, count, report, cancellationToken);
            }
        }

        Return(records, count);
        return default;
    }

    private async ValueTask HandRestAsync(ValueTask pending, PendingRecord[] records, int from, int count, Action<bool>? report, CancellationToken cancellationToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
            for (var i = from; i < count; i++)
            {
                await Hand(records[i], report, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Return(records, count);
        }
    }

    private static void Return(PendingRecord[] records, int count)
    {
        Array.Clear(records, 0, count);
        ArrayPool<PendingRecord>.Shared.Return(records);
    }

    /// <summary>Where an item's device id and reading sit in the batch payload.</summary>
    private readonly record struct ItemRange(int IdStart, int IdLength, int Start, int Length);

    /// <summary>Counts a batch's delivery reports down and reports the batch once, when the last record is settled.</summary>
    private sealed class BatchOutcome(int records, Action<bool> onDurable)
    {
        private int _remaining = records;
        private int _failed;

        public void Report(bool persisted)
        {
            if (!persisted)
            {
                Volatile.Write(ref _failed, 1);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                onDurable(Volatile.Read(ref _failed) == 0);
            }
        }
    }
}
