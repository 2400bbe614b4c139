using System.Text;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>
/// Turns a device's PUBLISH payload into a telemetry frame on <c>sensing.telemetry</c>, keyed by
/// <see cref="DeviceInfo.TelemetryKeyUtf8"/>: the device id, or for water pressure sensors and flow meters their
/// district, so a district's rules run on one processor. One device always has one key, so it keeps one partition and
/// its order. A payload that does not decode goes to <c>sensing.deadletter</c>
/// with the device, the reason and the original bytes. Either way <c>onDurable</c> runs only once Kafka has
/// acknowledged the record, which is when the gateway may acknowledge the device (QoS 1/2).
/// </summary>
/// <remarks>
/// Batching: records go to the client one by one and librdkafka batches them per partition (linger.ms, up to
/// batch.num.messages / batch.size), one produce request per broker carrying every partition's batch; the measured
/// cost per reading is in the client call, not in requests, so the gateway adds no batching of its own (bench/README.md).
/// Bounds: at most <see cref="IngestOptions.MaxInFlight"/> records are unacknowledged at once over the whole gateway,
/// and none are taken while the producer's circuit is open; a caller whose <see cref="IngestAsync"/> does not complete
/// at once stops reading its socket until it does.
/// </remarks>
public sealed partial class ReadingIngest
{
    private readonly RecordProducer _producer;
    private readonly SensingTopics _topics;
    private readonly GatewayCounters _counters;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxInFlight;

    /// <summary>Creates the ingest stage over <paramref name="producer"/> (its circuit breaker guards it).</summary>
    public ReadingIngest(RecordProducer producer, SensingTopics topics, GatewayCounters counters, IngestOptions? options = null)
    {
        options = (options ?? IngestOptions.Default).Validate();
        _producer = producer;
        _topics = topics;
        _counters = counters;
        _maxInFlight = options.MaxInFlight;
        _slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
    }

    /// <summary>Records handed to Kafka and not yet acknowledged or failed.</summary>
    public int InFlight => _maxInFlight - _slots.CurrentCount;

    /// <summary>The producer's circuit breaker.</summary>
    public ProducerCircuit Circuit => _producer.Circuit;

    /// <summary>
    /// Decodes and hands one reading to Kafka. Completes at once unless the gateway's in-flight bound is reached, the
    /// circuit is open or the producer's buffer is full: then the caller waits (and reads nothing more meanwhile).
    /// <paramref name="onDurable"/> receives true when the record (reading or dead letter) is in Kafka.
    /// </summary>
    public ValueTask IngestAsync(DeviceInfo device, ReadOnlySpan<byte> payload, long ingestTimeMs, Action<bool>? onDurable, CancellationToken cancellationToken)
    {
        // The payload span lives only until the caller advances its pipe: encode it now, whatever happens next.
        var record = Encode(device, payload, ingestTimeMs);
        return Hand(record, onDurable, cancellationToken);
    }

    /// <summary>
    /// The record of one device payload: its telemetry frame keyed by <see cref="DeviceInfo.TelemetryKeyUtf8"/>, or its
    /// dead letter keyed by the device id when it does not decode; the same whoever delivered the payload (the device
    /// itself or a concentrator).
    /// </summary>
    private PendingRecord Encode(DeviceInfo device, ReadOnlySpan<byte> payload, long ingestTimeMs)
    {
        Span<MetricValue> metrics = stackalloc MetricValue[TelemetryFrame.MaxMetrics];
        if (!DevicePayload.TryDecode(payload, ingestTimeMs, metrics, out var reading, out var error))
        {
            // A dead letter is keyed by the device id, whatever its readings' key.
            _counters.DeadLettered(error);
            return new PendingRecord(_topics.DeadLetter, device.IdUtf8, DeadLetter.Create(device, error.ToString(), ingestTimeMs, payload));
        }

        Span<byte> buffer = stackalloc byte[TelemetryFrame.MaxLength];
        var length = TelemetryFrame.Write(buffer, device.IdUtf8, device.Kind, reading.EventTimeMs, ingestTimeMs, reading.Sequence,
            TraceContext.None, metrics[..reading.MetricCount]);
        _counters.Readings(device.Kind);
        return new PendingRecord(_topics.Telemetry, device.TelemetryKeyUtf8, buffer[..length].ToArray());
    }

    /// <summary>Hands an encoded record to Kafka within the gateway's bounds (see <see cref="IngestAsync"/>).</summary>
    private ValueTask Hand(PendingRecord record, Action<bool>? onDurable, CancellationToken cancellationToken)
    {
        if (_producer.Circuit.IsOpen || !_slots.Wait(0))
        {
            return ProduceWhenAllowedAsync(record.Topic, record.Key, record.Value, onDurable, cancellationToken);
        }

        var produce = Produce(record.Topic, record.Key, record.Value, onDurable, cancellationToken);
        return produce.IsCompletedSuccessfully ? default : ReleaseOnFailureAsync(produce);
    }

    private async ValueTask ProduceWhenAllowedAsync(string topic, byte[] key, byte[] value, Action<bool>? onDurable, CancellationToken cancellationToken)
    {
        await _producer.Circuit.WhenClosedAsync(cancellationToken).ConfigureAwait(false);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseOnFailureAsync(Produce(topic, key, value, onDurable, cancellationToken)).ConfigureAwait(false);
    }

    private ValueTask Produce(string topic, byte[] key, byte[] value, Action<bool>? onDurable, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(topic, key, value, outcome =>
        {
            // Runs on the client's delivery thread: free the slot first, then let the connection acknowledge.
            _slots.Release();
            if (outcome.Persisted)
            {
                _counters.Persisted();
            }
            else
            {
                _counters.Failed();
            }

            onDurable?.Invoke(outcome.Persisted);
        }, cancellationToken);

    /// <summary>A produce that never reached the client (cancelled while its buffer was full) gets no delivery report.</summary>
    private async ValueTask ReleaseOnFailureAsync(ValueTask produce)
    {
        try
        {
            await produce.ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }
}

/// <summary>A record encoded and waiting to be handed to Kafka.</summary>
internal readonly record struct PendingRecord(string Topic, byte[] Key, byte[] Value);

/// <summary>The value of a <c>sensing.deadletter</c> record (JSON).</summary>
public static class DeadLetter
{
    /// <summary>Encodes a dead letter: device, kind, reason, receive time and the original payload (base64).</summary>
    public static byte[] Create(DeviceInfo device, string reason, long receivedAtMs, ReadOnlySpan<byte> payload)
    {
        using var buffer = new MemoryStream(128 + (payload.Length * 4 / 3));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("device"u8, device.Id);
            json.WriteString("kind"u8, device.Kind.Name());
            json.WriteString("reason"u8, reason);
            json.WriteNumber("receivedAtMs"u8, receivedAtMs);
            json.WriteBase64String("payload"u8, payload);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Encodes the dead letter of a concentrator item that names no device, an unknown one or one it does not serve:
    /// <c>device</c> is the id the item named (empty when none), <c>concentrator</c> the sender.
    /// </summary>
    public static byte[] CreateForItem(DeviceInfo concentrator, ReadOnlySpan<byte> deviceId, string reason, long receivedAtMs, ReadOnlySpan<byte> payload)
    {
        using var buffer = new MemoryStream(160 + (payload.Length * 4 / 3));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("device"u8, deviceId);
            json.WriteString("kind"u8, ""u8);
            json.WriteString("concentrator"u8, concentrator.Id);
            json.WriteString("reason"u8, reason);
            json.WriteNumber("receivedAtMs"u8, receivedAtMs);
            json.WriteBase64String("payload"u8, payload);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads the reason of a dead letter (for tools and tests).</summary>
    public static string Reason(byte[] letter) =>
        JsonDocument.Parse(letter).RootElement.GetProperty("reason").GetString() ?? "";

    /// <summary>Reads the device id of a dead letter.</summary>
    public static string Device(byte[] letter) =>
        JsonDocument.Parse(letter).RootElement.GetProperty("device").GetString() ?? Encoding.ASCII.GetString(letter);
}
