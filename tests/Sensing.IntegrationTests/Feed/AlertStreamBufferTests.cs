using Sensing.Core.Alerts;
using Sensing.Feed;

namespace Sensing.IntegrationTests.Feed;

/// <summary>The live stream's bounds, without servers: the replay buffer's window and the cut-off of a slow client.</summary>
[TestFixture]
public sealed class AlertStreamBufferTests
{
    private static AlertEvent Event(int n) => new()
    {
        Id = "a-" + n, Type = AlertEventType.Raised, Source = "md-" + n, Condition = "gas.methane-high", Severity = AlertSeverity.High,
        RaisedAtMs = n, EventTimeMs = n,
    };

    /// <summary>A board whose stream keeps <paramref name="replay"/> entries, with <paramref name="count"/> raises applied.</summary>
    private static AlertStream StreamWith(int replay, int queue, int count, out AlertBoard board)
    {
        board = new AlertBoard(new FeedOptions { ReplayCapacity = replay, SubscriberQueue = queue }, TimeProvider.System);
        for (var i = 1; i <= count; i++)
        {
            board.Apply(Event(i));
        }

        return board.Stream;
    }

    [Test]
    public void Subscribe_IdInsideBuffer_ReplaysTheRest()
    {
        var stream = StreamWith(replay: 4, queue: 8, count: 6, out var board);
        Assert.That(board.Apply(Event(6)), Is.Null, "a duplicate is not streamed again");

        using var subscription = stream.Subscribe(stream.EventId(3));

        Assert.That(subscription.ResetReason, Is.Null);
        Assert.That(subscription.Replay.Select(e => e.Seq), Is.EqualTo(new long[] { 4, 5, 6 }));
    }

    [TestCase("{epoch}-1", "older than the replay buffer")]
    [TestCase("1-3", "restarted")]
    [TestCase("{epoch}-99", "restarted")]
    [TestCase("garbage", "not an id of this feed")]
    public void Subscribe_IdNotReplayable_Reset(string lastEventId, string reason)
    {
        var stream = StreamWith(replay: 4, queue: 8, count: 6, out _);

        using var subscription = stream.Subscribe(lastEventId.Replace("{epoch}", stream.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.That(subscription.ResetReason, Does.Contain(reason));
        Assert.That(subscription.Replay, Is.Empty);
        Assert.That(subscription.Head, Is.EqualTo(6));
    }

    [Test]
    public void Apply_SubscriberQueueFull_SubscriberCutOffOthersServed()
    {
        var stream = StreamWith(replay: 16, queue: 2, count: 0, out var board);
        using var slow = stream.Subscribe(null);
        using var fast = stream.Subscribe(null);
        var fastSeen = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            board.Apply(Event(i));
            while (fast.Live.TryRead(out var entry))
            {
                fastSeen.Add(entry.Seq);
            }
        }

        Assert.That(fastSeen, Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(slow.Live.Completion.IsCompleted, Is.False, "the slow client may still read what it was sent");
        Assert.That(slow.Live.TryRead(out var first) && first.Seq == 1, Is.True);
        Assert.That(slow.Live.TryRead(out var second) && second.Seq == 2, Is.True);
        Assert.That(slow.Live.Completion.IsCompleted, Is.True, "then its stream ends: it resumes with Last-Event-ID");
        Assert.That(stream.SlowSubscribersDropped, Is.EqualTo(1));
        Assert.That(stream.Subscribers, Is.EqualTo(1));
    }
}
