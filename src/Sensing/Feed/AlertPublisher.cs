using System.Text;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Feed;

/// <summary>
/// Publishes the feed's own alert events (operator actions, shelve expiries) to <c>sensing.alerts</c>, keyed by
/// alert id like the processor's, so every feed instance rebuilds them from the topic.
/// </summary>
public sealed class AlertPublisher(KafkaOptions kafka, ILogger<AlertPublisher> logger) : IDisposable
{
    private readonly Lazy<RecordProducer> _producer = new(() => new RecordProducer(kafka, "sensing-feed", m => logger.LogWarning("{Message}", m)));

    /// <summary>Produces <paramref name="alert"/> and waits for the broker; throws <see cref="AlertPublishException"/> on failure.</summary>
    public async Task PublishAsync(AlertEvent alert, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        DeliveryOutcome outcome;
        try
        {
            outcome = await _producer.Value.ProduceAndWaitAsync(kafka.Topics.Alerts, Encoding.UTF8.GetBytes(alert.Id),
                JsonSerializer.SerializeToUtf8Bytes(alert, AlertJsonContext.Default.AlertEvent), limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlertPublishException($"Kafka did not acknowledge the event within {timeout.TotalSeconds:0} s");
        }

        if (!outcome.Persisted)
        {
            throw new AlertPublishException($"Kafka refused the event: {outcome.Error}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }
    }
}

/// <summary>An alert event that did not reach Kafka; nothing was changed.</summary>
public sealed class AlertPublishException(string message) : Exception(message);
