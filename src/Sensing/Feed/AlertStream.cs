using System.Globalization;
using System.Threading.Channels;

namespace Sensing.Feed;

/// <summary>
/// The live stream behind <c>GET /api/alerts/stream</c>: every applied event gets the next feed sequence number
/// and goes to every subscriber and into a bounded replay buffer. Event ids are <c>{epoch}-{seq}</c>, where the
/// epoch is this feed instance's start time: a client that reconnects with <c>Last-Event-ID</c> gets the entries
/// after it from the buffer, or a reset (reload everything) when the id is from another instance or older than
/// the buffer.
/// </summary>
public sealed class AlertStream
{
    private readonly Lock _gate = new();
    private readonly FeedEntry?[] _ring;
    private readonly int _subscriberQueue;
    private readonly List<Channel<FeedEntry>> _subscribers = [];
    private long _head;

    /// <summary>A stream keeping the last <paramref name="replayCapacity"/> entries for resuming clients.</summary>
    public AlertStream(long epoch, int replayCapacity, int subscriberQueue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replayCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subscriberQueue, 1);
        Epoch = epoch;
        _ring = new FeedEntry?[replayCapacity];
        _subscriberQueue = subscriberQueue;
    }

    /// <summary>This instance's epoch (its start, Unix ms): the first part of every event id.</summary>
    public long Epoch { get; }

    /// <summary>Sequence number of the latest entry (0 before the first).</summary>
    public long Head
    {
        get
        {
            lock (_gate)
            {
                return _head;
            }
        }
    }

    /// <summary>Clients dropped because they fell a whole queue behind (they resume with Last-Event-ID).</summary>
    public long SlowSubscribersDropped { get; private set; }

    /// <summary>Subscribers connected now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The SSE id of sequence number <paramref name="seq"/>.</summary>
    public string EventId(long seq) => string.Create(CultureInfo.InvariantCulture, $"{Epoch}-{seq}");

    /// <summary>Appends an entry built for the next sequence number; called in the board's apply order.</summary>
    internal FeedEntry Append(Func<long, FeedEntry> entryFor)
    {
        lock (_gate)
        {
            var entry = entryFor(++_head);
            _ring[_head % _ring.Length] = entry;
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Writer.TryWrite(entry))
                {
                    // A subscriber a whole queue behind is cut off rather than buffered without limit; its client
                    // reconnects with Last-Event-ID and catches up from the replay buffer.
                    _subscribers[i].Writer.TryComplete();
                    _subscribers.RemoveAt(i);
                    SlowSubscribersDropped++;
                }
            }

            return entry;
        }
    }

    /// <summary>Subscribes from <paramref name="lastEventId"/> (null: from now on).</summary>
    public AlertSubscription Subscribe(string? lastEventId)
    {
        var channel = Channel.CreateBounded<FeedEntry>(new BoundedChannelOptions(_subscriberQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_gate)
        {
            var oldest = Math.Max(1, _head - _ring.Length + 1);
            List<FeedEntry> replay = [];
            string? reset = null;
            if (!string.IsNullOrEmpty(lastEventId))
            {
                if (!TryParseId(lastEventId, out var epoch, out var seq))
                {
                    reset = $"Last-Event-ID '{lastEventId}' is not an id of this feed";
                }
                else if (epoch != Epoch || seq > _head)
                {
                    reset = "the feed restarted since that event; reload the alerts";
                }
                else if (seq + 1 < oldest)
                {
                    reset = $"event {seq} is older than the replay buffer (it holds {oldest}-{_head}); reload the alerts";
                }
                else
                {
                    for (var s = seq + 1; s <= _head; s++)
                    {
                        replay.Add(_ring[s % _ring.Length]!);
                    }
                }
            }

            _subscribers.Add(channel);
            return new AlertSubscription(this, channel, replay, reset, _head);
        }
    }

    internal void Unsubscribe(Channel<FeedEntry> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }
    }

    private static bool TryParseId(string id, out long epoch, out long seq)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        seq = 0;
        epoch = 0;
        return dash > 0
            && long.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out epoch)
            && long.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }
}

/// <summary>One client's view of the stream: what it missed (or why it must reload), then live entries.</summary>
public sealed class AlertSubscription : IDisposable
{
    private readonly AlertStream _stream;
    private readonly Channel<FeedEntry> _channel;

    internal AlertSubscription(AlertStream stream, Channel<FeedEntry> channel, IReadOnlyList<FeedEntry> replay, string? reset, long head)
    {
        _stream = stream;
        _channel = channel;
        Replay = replay;
        ResetReason = reset;
        Head = head;
    }

    /// <summary>Entries after the client's Last-Event-ID, oldest first.</summary>
    public IReadOnlyList<FeedEntry> Replay { get; }

    /// <summary>Why the client must reload everything, or null.</summary>
    public string? ResetReason { get; }

    /// <summary>Sequence number of the latest entry when subscribing.</summary>
    public long Head { get; }

    /// <summary>Live entries; completes when the client fell too far behind.</summary>
    public ChannelReader<FeedEntry> Live => _channel.Reader;

    /// <inheritdoc />
    public void Dispose() => _stream.Unsubscribe(_channel);
}
