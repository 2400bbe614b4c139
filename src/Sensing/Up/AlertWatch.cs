using System.Collections.Concurrent;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;
using Sensing.Simulators.Truth;

namespace Sensing.Up;

/// <summary>
/// Watches a city run's alerts where operators meet them: every event on <c>sensing.alerts</c> (read from the start,
/// the broker holding fetches at most 5 ms) and every event on the feed's live stream (Server-Sent Events). For each
/// raised alert it takes the time it arrived at each place against the gateway's ingest time of the reading that
/// raised it (<see cref="AlertEvent.IngestTimeMs"/>): the sensor-to-alert latency, on the same machine's clock.
/// </summary>
public sealed class AlertWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AlertRecord> _raised = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _cleared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _raiseEvents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (AlertEventType Type, long EventTimeMs)> _lifecycle = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReopenedStep> _reopened = new(StringComparer.Ordinal);

    // A chattering alert's subject: the condition that chatters, named first in its message ("device.offline at ...").
    private readonly ConcurrentDictionary<string, string> _chatterSubject = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _kafkaLatencyMs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _streamLatencyMs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _kafka;
    private readonly Task _stream;
    private long _events;
    private long _records;

    /// <summary>Starts both watchers.</summary>
    public AlertWatch(KafkaOptions kafka, string feedUrl, string feedKey)
    {
        _kafka = Task.Factory.StartNew(() => ReadTopic(kafka), TaskCreationOptions.LongRunning);
        _stream = Task.Run(() => ReadStreamAsync(feedUrl, feedKey));
    }

    /// <summary>Alert events read from <c>sensing.alerts</c>.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Records read from <c>sensing.alerts</c>, events or not: the watch is at the topic's end when this is its count.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Alerts raised so far, as raised (with the clear time once cleared).</summary>
    public IReadOnlyList<AlertRecord> Alerts =>
        [.. _raised.Values.Select(a => _cleared.TryGetValue(a.Id, out var cleared) ? a with { ClearedAtMs = cleared } : a)];

    /// <summary>
    /// Alert ids whose raise event is on <c>sensing.alerts</c> more than once: a processor that replayed after a crash
    /// published it again under the same id (the feed and the store keep one).
    /// </summary>
    public int RepublishedRaises => _raiseEvents.Count(e => e.Value > 1);

    /// <summary>
    /// Alerts raised twice: a second id for the same condition and source, raised while an earlier one was still
    /// active (an id that is not deterministic would show up so after a replay). <c>water.inlet-leak</c> is left out: it
    /// raises a new alert for each new leak on top of an open one, by design (docs/leaks.md).
    /// </summary>
    public IReadOnlyList<(AlertRecord Open, AlertRecord Second)> RaisedTwice()
    {
        var twice = new List<(AlertRecord Open, AlertRecord Second)>();
        // Two conditions of one source chattering at once are two alerts by design (their ids cover the condition), so
        // a chattering alert's source is taken with the condition that chatters.
        foreach (var group in Alerts.Where(a => a.Condition != AlertCondition.InletLeak.Name())
                     .GroupBy(a => (a.Condition, Source: _chatterSubject.TryGetValue(a.Id, out var subject) ? a.Source + "/" + subject : a.Source)))
        {
            AlertRecord? open = null;
            foreach (var alert in group.OrderBy(a => a.RaisedAtMs))
            {
                if (open is not null && (open.ClearedAtMs is null || open.ClearedAtMs > alert.RaisedAtMs))
                {
                    twice.Add((open, alert));
                }

                if (open is null || open.ClearedAtMs is not null)
                {
                    open = alert;
                }
            }
        }

        return twice;
    }

    /// <summary>
    /// Ids of the alerts active now as <c>sensing.alerts</c> tells it: the alert's latest lifecycle step by event time
    /// (raised, updated or cleared) is not a clear. The feed reads the topic by the same rule.
    /// </summary>
    public IReadOnlySet<string> ActiveIds =>
        _lifecycle.Where(e => e.Value.Type != AlertEventType.Cleared).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Alerts given a raise or update step later in event time than their clear: the same id made active again after it
    /// was cleared (goal 0), with the first such step and the clear it came after.
    /// </summary>
    public IReadOnlyDictionary<string, ReopenedStep> Reopened => _reopened;

    /// <summary>The latest lifecycle step of <paramref name="id"/> on the topic, for a report.</summary>
    public string Describe(string id) =>
        _lifecycle.TryGetValue(id, out var step)
            ? $"{id} ({(_raised.TryGetValue(id, out var a) ? $"{a.Condition} {a.Source}, " : "")}last step {step.Type} at {DateTimeOffset.FromUnixTimeMilliseconds(step.EventTimeMs):HH:mm:ss.fff})"
            : $"{id} (not on the topic)";

    /// <summary>Sensor-to-alert latency to <c>sensing.alerts</c> of every raised alert that came from a reading, ms.</summary>
    public IReadOnlyList<double> KafkaLatenciesMs => [.. _kafkaLatencyMs.Values];

    /// <summary>
    /// The <paramref name="count"/> raised alerts slowest to reach <c>sensing.alerts</c> from their reading's ingest,
    /// slowest first: what the latency's tail is made of.
    /// </summary>
    public IReadOnlyList<(AlertRecord Alert, double LatencyMs)> SlowestToKafka(int count) =>
        [.. _kafkaLatencyMs.OrderByDescending(e => e.Value).Take(count)
            .Select(e => (_raised.TryGetValue(e.Key, out var a) ? a : new AlertRecord(e.Key, "?", "?", "?", 0, null), e.Value))];

    /// <summary>Sensor-to-alert latency to the feed's live stream of every raised alert that came from a reading, ms.</summary>
    public IReadOnlyList<double> StreamLatenciesMs => [.. _streamLatencyMs.Values];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_kafka, _stream).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private void ReadTopic(KafkaOptions kafka)
    {
        using var consumer = new RecordConsumer(kafka, "sensing-up-watch-" + Guid.NewGuid().ToString("N"), "sensing-up-watch", fetchWait: TimeSpan.FromMilliseconds(5));
        consumer.Subscribe(kafka.Topics.Alerts);
        while (!_stop.IsCancellationRequested)
        {
            ConsumedRecord? next;
            try
            {
                next = consumer.Consume(TimeSpan.FromMilliseconds(200));
            }
            catch (Confluent.Kafka.KafkaException)
            {
                // The broker went away (a fault run kills it): the watch reads on once it is back.
                Thread.Sleep(500);
                continue;
            }

            if (next is not { } record)
            {
                continue;
            }

            Interlocked.Increment(ref _records);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            AlertEvent? alert;
            try
            {
                alert = JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent);
            }
            catch (JsonException)
            {
                continue;
            }

            if (alert is null)
            {
                continue;
            }

            Interlocked.Increment(ref _events);
            TrackLifecycle(alert);
            switch (alert.Type)
            {
                case AlertEventType.Raised:
                    _raiseEvents.AddOrUpdate(alert.Id, 1, (_, n) => n + 1);
                    _raised.TryAdd(alert.Id, new AlertRecord(alert.Id, alert.Source, alert.Condition, alert.Severity.ToString(), alert.RaisedAtMs, null));
                    if (alert.Condition == AlertCondition.Chattering.Name() && alert.Message is { } message)
                    {
                        _chatterSubject.TryAdd(alert.Id, message.Split(' ', 2)[0]);
                    }

                    if (alert.IngestTimeMs is { } ingest)
                    {
                        _kafkaLatencyMs.TryAdd(alert.Id, now - ingest);
                    }

                    break;
                case AlertEventType.Cleared:
                    _cleared[alert.Id] = alert.ClearedAtMs ?? alert.EventTimeMs;
                    break;
            }
        }
    }

    private void TrackLifecycle(AlertEvent alert)
    {
        if (alert.Type is not (AlertEventType.Raised or AlertEventType.Updated or AlertEventType.Cleared))
        {
            return;
        }

        if (alert.Type != AlertEventType.Cleared && _cleared.TryGetValue(alert.Id, out var clearedAt) && alert.EventTimeMs > clearedAt)
        {
            _reopened.TryAdd(alert.Id, new ReopenedStep(alert.Condition, alert.Source, alert.RaisedAtMs, clearedAt, alert.Type, alert.EventTimeMs));
        }

        // As the feed does (AlertRecord.Apply): a late copy of an older step never replaces a newer one.
        var step = (alert.Type, alert.EventTimeMs);
        _lifecycle.AddOrUpdate(alert.Id, step, (_, old) => step.EventTimeMs >= old.EventTimeMs ? step : old);
    }

    private async Task ReadStreamAsync(string feedUrl, string feedKey)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync($"{feedUrl}/api/alerts/stream?key={Uri.EscapeDataString(feedKey)}", HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        OnStreamEvent(line.AsSpan(5).Trim().ToString());
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The feed restarted or is not up yet: connect again.
                await Task.Delay(500, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    // data: {"seq": N, "event": {AlertEvent}, "alert": {...}}
    private void OnStreamEvent(string json)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.TryGetProperty("event", out var step)
                && step.TryGetProperty("type", out var type) && type.GetString() == nameof(AlertEventType.Raised)
                && step.TryGetProperty("ingestTimeMs", out var ingest) && ingest.ValueKind == JsonValueKind.Number)
            {
                _streamLatencyMs.TryAdd(step.GetProperty("id").GetString()!, now - ingest.GetInt64());
            }
        }
        catch (JsonException)
        {
            // Not an alert entry.
        }
    }
}

/// <summary>A raise or update of an alert id later in event time than its clear (<see cref="AlertWatch.Reopened"/>).</summary>
/// <param name="Condition">The alert's condition.</param>
/// <param name="Source">Its source (device or district).</param>
/// <param name="RaisedAtMs">Its raise time (part of its id).</param>
/// <param name="ClearedAtMs">The clear the step came after.</param>
/// <param name="Type">The step: raised or updated.</param>
/// <param name="EventTimeMs">The step's event time.</param>
public sealed record ReopenedStep(string Condition, string Source, long RaisedAtMs, long ClearedAtMs, AlertEventType Type, long EventTimeMs);
