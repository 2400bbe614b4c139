using System.Diagnostics;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// The store sink's second half (<see cref="ProcessorRole.Store"/>): reads <c>sensing.alerts</c> in the sink's consumer
/// group and writes every alert lifecycle event to the store as a <c>sensing_alert</c> point, with the
/// <c>sensing_alerts_active</c> counts, committing a batch's offsets once the store accepted its lines. The detecting
/// processors publish these events and never wait for the store.
/// </summary>
public sealed class AlertStoreSink
{
    private readonly KafkaOptions _kafka;
    private readonly string _groupId;
    private readonly ProcessorStore _store;
    private readonly Action<string> _log;

    /// <summary>Creates a sink; nothing runs until <see cref="Run"/>.</summary>
    public AlertStoreSink(KafkaOptions kafka, string groupId, ProcessorStore store, Action<string> log)
    {
        _kafka = kafka.Validate();
        _groupId = groupId;
        _store = store;
        _log = log;
    }

    /// <summary>Alert events written to the store.</summary>
    public long Stored { get; private set; }

    /// <summary>Records of <c>sensing.alerts</c> that are no alert event (skipped, logged).</summary>
    public long Skipped { get; private set; }

    /// <summary>The consume loop: runs on the calling thread until <paramref name="stoppingToken"/> fires.</summary>
    public void Run(CancellationToken stoppingToken)
    {
        var counters = new ProcessorCounters();
        var offsets = new Dictionary<int, long>();
        var alerts = new List<AlertEvent>();
        using var consumer = new RecordConsumer(_kafka, _groupId, "sensing-store-alerts", _log);
        consumer.Subscribe(_kafka.Topics.Alerts);
        var lastSeal = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            while (alerts.Count < 1_000 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(200)
                && consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                offsets[record.Partition] = record.Offset + 1;
                if (Read(record) is { } alert)
                {
                    alerts.Add(alert);
                }
            }

            // Sealed at least every few seconds even without events: sensing_alerts_active is written when due.
            if (offsets.Count == 0 && Stopwatch.GetElapsedTime(lastSeal) < TimeSpan.FromSeconds(5))
            {
                continue;
            }

            foreach (var alert in alerts)
            {
                _store.AppendAlert(alert);
            }

            try
            {
                _store.WriteAsync(_store.Seal(), counters, stoppingToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lastSeal = Stopwatch.GetTimestamp();
            Stored += alerts.Count;
            alerts.Clear();
            if (offsets.Count > 0 && !consumer.TryCommit(_kafka.Topics.Alerts, offsets, out var reason))
            {
                _log($"store sink: alert offsets not committed ({reason}); the events are written again after a restart");
            }

            offsets.Clear();
        }
    }

    private AlertEvent? Read(ConsumedRecord record)
    {
        try
        {
            if (JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent) is { } alert)
            {
                return alert;
            }
        }
        catch (JsonException)
        {
        }

        Skipped++;
        _log($"store sink: {record.Topic}/{record.Partition}@{record.Offset} is no alert event; skipped");
        return null;
    }
}
