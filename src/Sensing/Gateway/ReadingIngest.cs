using System.Text;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>
/// Turns a device's PUBLISH payload into a telemetry frame on <c>sensing.telemetry</c>, keyed by device id so one
/// device keeps one partition and its order. A payload that does not decode goes to <c>sensing.deadletter</c>
/// with the device, the reason and the original bytes. Either way <c>onDurable</c> runs only once Kafka has
/// acknowledged the record, which is when the gateway may acknowledge the device (QoS 1/2).
/// </summary>
public sealed class ReadingIngest(RecordProducer producer, SensingTopics topics, GatewayCounters counters)
{
    /// <summary>
    /// Decodes and hands one reading to Kafka; waits only while the producer's buffer is full (backpressure).
    /// <paramref name="onDurable"/> receives true when the record (reading or dead letter) is in Kafka.
    /// </summary>
    public ValueTask IngestAsync(DeviceInfo device, ReadOnlySpan<byte> payload, long ingestTimeMs, Action<bool>? onDurable, CancellationToken cancellationToken)
    {
        Span<MetricValue> metrics = stackalloc MetricValue[TelemetryFrame.MaxMetrics];
        var key = device.IdUtf8;
        if (!DevicePayload.TryDecode(payload, ingestTimeMs, metrics, out var reading, out var error))
        {
            counters.DeadLettered();
            var letter = DeadLetter.Create(device, error.ToString(), ingestTimeMs, payload);
            return producer.ProduceAsync(topics.DeadLetter, key, letter, Deliver(onDurable), cancellationToken);
        }

        Span<byte> buffer = stackalloc byte[TelemetryFrame.MaxLength];
        var length = TelemetryFrame.Write(buffer, key, device.Kind, reading.EventTimeMs, ingestTimeMs, reading.Sequence,
            TraceContext.None, metrics[..reading.MetricCount]);
        counters.Readings();
        return producer.ProduceAsync(topics.Telemetry, key, buffer[..length].ToArray(), Deliver(onDurable), cancellationToken);
    }

    private Action<DeliveryOutcome>? Deliver(Action<bool>? onDurable) => onDurable is null ? null : outcome =>
    {
        if (outcome.Persisted)
        {
            counters.Persisted();
        }
        else
        {
            counters.Failed();
        }

        onDurable(outcome.Persisted);
    };
}

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

    /// <summary>Reads the reason of a dead letter (for tools and tests).</summary>
    public static string Reason(byte[] letter) =>
        JsonDocument.Parse(letter).RootElement.GetProperty("reason").GetString() ?? "";

    /// <summary>Reads the device id of a dead letter.</summary>
    public static string Device(byte[] letter) =>
        JsonDocument.Parse(letter).RootElement.GetProperty("device").GetString() ?? Encoding.ASCII.GetString(letter);
}
