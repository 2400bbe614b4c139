using System.Diagnostics;
using Sensing.Kafka;

namespace Sensing.Processor;

/// <summary>
/// Backpressure: while the batch writer has no room (the store is slow or down), the consume loop pauses its
/// partitions and goes on polling. Polling keeps the group membership: librdkafka leaves the group on the client side
/// when the application does not poll within max.poll.interval.ms, with every broker version (Kafka 0.9 has no such
/// broker setting; its heartbeats, sent by the client's own thread, only cover session.timeout.ms).
/// </summary>
public sealed partial class TelemetryProcessor
{
    // How long the loop waits for the writer before it pauses its partitions, and between two polls while paused:
    // half the session timeout (5 s by default), far inside max.poll.interval.ms (at least the session timeout).
    // Pausing is costly: the client drops every record it has fetched ahead (up to queued.min.messages per
    // partition) and fetches them again on resume, so a writer that is only a little behind is waited for; only a
    // store that stays away for seconds makes the loop pause and poll.
    private TimeSpan PauseAfter => _kafka.ConsumerSessionTimeout / 2;

    // How long one poll waits while paused.
    private static readonly TimeSpan HeldBackPoll = TimeSpan.FromMilliseconds(20);

    // Least time between two log lines about pausing: a store that keeps coming and going would otherwise fill the
    // log; the counter says how often.
    private static readonly TimeSpan HoldBackLogInterval = TimeSpan.FromSeconds(10);

    private readonly HashSet<int> _paused = [];
    private long _lastHoldBackLog = long.MinValue;
    private bool _heldBack;
    private volatile bool _assignmentChanged;

    private void HoldBack(RecordConsumer consumer, RecordProducer producer, CancellationToken stoppingToken)
    {
        if (_writer!.WaitForRoom(PauseAfter, stoppingToken))
        {
            return;
        }

        if (!_heldBack)
        {
            _heldBack = true;
            Counters.AddHoldBack();
        }

        PauseAssigned(consumer);

        // Keeps the membership and serves rebalances. A record can still come from a partition assigned since the
        // last pause: it joins the open batch, which the loop seals once the writer has room.
        if (consumer.Consume(HeldBackPoll) is { } record)
        {
            Take(record, producer);
            PauseAssigned(consumer);
        }
    }

    private void PauseAssigned(RecordConsumer consumer)
    {
        var topic = _kafka.Topics.Telemetry;
        var newlyPaused = new List<int>();
        foreach (var partition in consumer.AssignedPartitions(topic))
        {
            if (_paused.Add(partition))
            {
                newlyPaused.Add(partition);
            }
        }

        if (newlyPaused.Count > 0)
        {
            consumer.Pause(topic, newlyPaused);
            if (_lastHoldBackLog == long.MinValue || Stopwatch.GetElapsedTime(_lastHoldBackLog) >= HoldBackLogInterval)
            {
                _lastHoldBackLog = Stopwatch.GetTimestamp();
                _log($"processor: store writer full, partitions {string.Join(',', newlyPaused)} paused (held back {Counters.HoldBacks} times so far)");
            }
        }
    }

    private void ResumeIfHeldBack(RecordConsumer consumer)
    {
        // After a rebalance every assigned partition is resumed too: the client keeps a partition's pause across
        // a revoke and a later assignment. Resuming a partition that is not paused does nothing.
        if (!_heldBack && !_assignmentChanged)
        {
            return;
        }

        var topic = _kafka.Topics.Telemetry;
        var assigned = consumer.AssignedPartitions(topic);
        if (assigned.Count > 0)
        {
            consumer.Resume(topic, assigned);
        }

        _paused.Clear();
        _heldBack = false;
        _assignmentChanged = false;
    }
}
