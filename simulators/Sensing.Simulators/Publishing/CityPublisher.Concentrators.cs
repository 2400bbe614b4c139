using System.Buffers;
using System.Diagnostics;
using Sensing.Core.Payloads;
using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// The concentrator connection mode: a district concentrator holds one MQTT connection and publishes the readings of
/// its devices that fall due together as one batch (docs/gateway.md, "Concentrators"): JSON readings as a JSON array
/// with the device id in each item, binary readings as a 0xB2 batch. A batch goes out when the publisher catches up
/// with the clock, or when it is full.
/// </summary>
public sealed partial class CityPublisher
{
    // A batch is sent once it holds this many readings or bytes (well below the gateway's 64 KiB packet limit).
    private const int BatchMaxItems = 500, BatchMaxBytes = 48 * 1024;

    private ConcentratorLink[]? _links;

    private async Task ConnectConcentratorsAsync(CancellationToken cancellationToken)
    {
        // Each concentrator is one connection, held by the shard that owns it (its devices go with it).
        _links = [.. _city.Concentrators.Select(c => new ConcentratorLink(c))];
        await Task.WhenAll(_links.Where(l => _options.Shard.ContainsConcentrator(l.Concentrator.Index)).Select(async link =>
        {
            await _connectSlots.WaitAsync(cancellationToken);
            try
            {
                link.Client = await ConnectAsync(link.Concentrator.Info.Id, link.Concentrator.Password, 60, link.Concentrator.Index, () => OnLinkLost(link), cancellationToken);
            }
            finally
            {
                _connectSlots.Release();
            }
        }));
    }

    private void OnLinkLost(ConcentratorLink link) => _ = ReconnectAsync(link.Concentrator.Info.Id, link.Concentrator.Password, link.Concentrator.Index,
        () => OnLinkLost(link), (client, _) =>
        {
            link.Client = client;
            return Task.CompletedTask;
        });

    /// <summary>Adds a device's payload (JSON or binary reading) to its concentrator's pending batch of that form.</summary>
    private async ValueTask AddToBatchAsync(CityDevice device, ulong sequence, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var link = _links![device.Concentrator];
        var id = device.Info.IdUtf8;
        var reading = payload.Span;
        if (reading[0] == BinaryReadingDecoder.Marker)
        {
            var span = link.Binary.GetSpan(1 + id.Length + reading.Length);
            span[0] = (byte)id.Length;
            id.CopyTo(span[1..]);
            reading.CopyTo(span[(1 + id.Length)..]);
            link.Binary.Advance(1 + id.Length + reading.Length);
            if (AckLog is not null)
            {
                link.BinaryReadings.Add((device.Index, sequence));
            }

            if (++link.BinaryItems >= BatchMaxItems || link.Binary.WrittenCount >= BatchMaxBytes)
            {
                await SendBatchAsync(link, binary: true, cancellationToken);
            }

            return;
        }

        // {"seq":...} becomes {"device":"<id>","seq":...}, the array's next item.
        Append(link.Json, "{\"device\":\""u8);
        Append(link.Json, id);
        Append(link.Json, "\","u8);
        Append(link.Json, reading[1..]);
        Append(link.Json, ","u8);
        if (AckLog is not null)
        {
            link.JsonReadings.Add((device.Index, sequence));
        }

        if (++link.JsonItems >= BatchMaxItems || link.Json.WrittenCount >= BatchMaxBytes)
        {
            await SendBatchAsync(link, binary: false, cancellationToken);
        }
    }

    /// <summary>Sends every concentrator's pending batches (the readings due until now).</summary>
    private async ValueTask FlushBatchesAsync(CancellationToken cancellationToken)
    {
        foreach (var link in _links ?? [])
        {
            await SendBatchAsync(link, binary: false, cancellationToken);
            await SendBatchAsync(link, binary: true, cancellationToken);
        }
    }

    private async ValueTask SendBatchAsync(ConcentratorLink link, bool binary, CancellationToken cancellationToken)
    {
        var items = binary ? link.BinaryItems : link.JsonItems;
        if (items == 0)
        {
            return;
        }

        // Empty without an ack log: nothing was collected.
        var pending = binary ? link.BinaryReadings : link.JsonReadings;
        (int, ulong)[] readings = pending.Count == 0 ? [] : [.. pending];
        pending.Clear();
        byte[] batch;
        if (binary)
        {
            batch = new byte[1 + link.Binary.WrittenCount];
            batch[0] = ConcentratorBatch.Marker;
            link.Binary.WrittenSpan.CopyTo(batch.AsSpan(1));
            link.Binary.ResetWrittenCount();
            link.BinaryItems = 0;
        }
        else
        {
            // '[' + the items, whose trailing ',' becomes the closing ']'.
            batch = new byte[1 + link.Json.WrittenCount];
            batch[0] = (byte)'[';
            link.Json.WrittenSpan.CopyTo(batch.AsSpan(1));
            batch[^1] = (byte)']';
            link.Json.ResetWrittenCount();
            link.JsonItems = 0;
        }

        if (link.Client is not { IsConnected: true } client)
        {
            // The concentrator's session dropped and is not back yet: the batch is not sent.
            Counters.AddOffline(items);
            return;
        }

        await _inFlight.WaitAsync(cancellationToken);
        _ = AwaitBatchAckAsync(client, link.Concentrator.UplinkTopic, batch, items, readings, cancellationToken);
    }

    private async Task AwaitBatchAckAsync(DeviceMqttClient client, byte[] topic, byte[] batch, int items, (int, ulong)[] readings, CancellationToken cancellationToken)
    {
        try
        {
            // The gateway acknowledges a batch once every reading in it is in Kafka.
            var sentAt = Stopwatch.GetTimestamp();
            await client.PublishAsync(topic, batch, MqttQoS.AtLeastOnce, cancellationToken: cancellationToken);
            Counters.AddAckLatency(sentAt);
            Counters.AddAcked(items);
            AckLog?.Add(readings);
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException or OperationCanceledException)
        {
            if (client.IsConnected)
            {
                Counters.AddErrors(items);
            }
            else
            {
                Counters.AddUnacked(items);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private static void Append(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>A concentrator's connection and its pending batches.</summary>
    private sealed class ConcentratorLink(CityConcentrator concentrator)
    {
        public CityConcentrator Concentrator { get; } = concentrator;

        public DeviceMqttClient? Client { get; set; }

        public ArrayBufferWriter<byte> Json { get; } = new(4096);

        public ArrayBufferWriter<byte> Binary { get; } = new(4096);

        public int JsonItems { get; set; }

        public int BinaryItems { get; set; }

        // The (device index, sequence) of the readings in the pending batches, for the ack log.
        public List<(int DeviceIndex, ulong Sequence)> JsonReadings { get; } = [];

        public List<(int DeviceIndex, ulong Sequence)> BinaryReadings { get; } = [];
    }
}
