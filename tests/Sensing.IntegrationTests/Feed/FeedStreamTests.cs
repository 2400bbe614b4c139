using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sensing.Core.Alerts;
using Sensing.Feed;
using Sensing.Feed.Endpoints;

namespace Sensing.IntegrationTests.Feed;

/// <summary>The live stream (SSE): resuming with Last-Event-ID, and the reset when that id cannot be replayed.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FeedStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Stream_ReconnectWithLastEventId_GetsWhatItMissedInOrder()
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        string lastId;
        AlertEvent first;
        await using (var sse = await SseClient.OpenAsync(http))
        {
            first = await FeedCity.RaiseAsync("md-sse-first");
            var seen = await sse.ReadUntilAsync(m => m.Data.Contains(first.Id, StringComparison.Ordinal), Wait);
            Assert.That(seen, Is.Not.Empty);
            Assert.That(seen[^1].Event, Is.EqualTo("alert"));
            lastId = seen[^1].Id!;
        }

        // Disconnected: two alerts are raised that this client has not seen.
        var second = await FeedCity.RaiseAsync("md-sse-second");
        var third = await FeedCity.RaiseAsync("md-sse-third");

        await using var resumed = await SseClient.OpenAsync(http, lastId);
        var missed = await resumed.ReadUntilAsync(m => m.Data.Contains(third.Id, StringComparison.Ordinal), Wait);

        Assert.That(missed.Select(m => m.Event), Has.All.EqualTo("alert"), "no reset: the ids are in the replay buffer");
        var sequences = missed.Select(m => Seq(m.Id!)).ToList();
        Assert.That(sequences[0], Is.EqualTo(Seq(lastId) + 1), "replay starts right after Last-Event-ID");
        Assert.That(sequences, Is.EqualTo(Enumerable.Range((int)sequences[0], sequences.Count).Select(i => (long)i)), "no gap");
        var ids = missed.Select(m => JsonDocument.Parse(m.Data).RootElement.GetProperty("event").GetProperty("id").GetString()).ToList();
        Assert.That(ids, Does.Contain(second.Id));
        Assert.That(ids.IndexOf(second.Id), Is.LessThan(ids.IndexOf(third.Id)));
        Assert.That(ids, Does.Not.Contain(first.Id), "what the client saw is not sent again");
    }

    [Test]
    public async Task Stream_LastEventIdOfAnotherFeedInstance_ResetEvent()
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        await using var sse = await SseClient.OpenAsync(http, "1000-5");
        var message = await sse.NextAsync(Wait);
        Assert.That(message, Is.Not.Null);
        Assert.That(message!.Event, Is.EqualTo("reset"));
        Assert.That(JsonDocument.Parse(message.Data).RootElement.GetProperty("reason").GetString(), Does.Contain("restarted"));
    }

    [Test]
    public async Task SecondFeed_SmallReplayBuffer_RebuildsActionsAndResetsTooOldIds()
    {
        // An operator acts through the first feed; a second feed started afterwards rebuilds that from Kafka alone.
        var acked = await FeedCity.RaiseAsync("md-rebuild-acked");
        var shelved = await FeedCity.RaiseAsync("md-rebuild-shelved");
        using (var operatorHttp = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey))
        {
            (await operatorHttp.PostAsync($"/api/alerts/{acked.Id}/ack", JsonContent.Create(new { note = "seen" }))).EnsureSuccessStatusCode();
            (await operatorHttp.PostAsync($"/api/alerts/{shelved.Id}/shelve", JsonContent.Create(new { duration = "PT1H" }))).EnsureSuccessStatusCode();
        }

        await using var second = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = FeedCity.City.FeedKeys.Ring, ReplayCapacity = 4 },
            FeedCity.City.KafkaOptions, l => l.SetMinimumLevel(LogLevel.Warning));
        await second.StartAsync();
        try
        {
            var url = FeedHost.BoundUrl(second);
            var rebuilt = await FeedCity.PollAsync(async () =>
            {
                var a = await FeedCity.DetailAsync(acked.Id, url).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
                var s = await FeedCity.DetailAsync(shelved.Id, url).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
                return a is { Alert.Acknowledged: true } && s is { Alert.Shelved: true } ? (a, s) : ((AlertDetail, AlertDetail)?)null;
            }, Wait);
            Assert.That(rebuilt, Is.Not.Null, "the second feed rebuilt the acknowledgement and the shelve from sensing.alerts");
            Assert.That(rebuilt!.Value.Item1.Alert.AcknowledgedBy, Is.EqualTo("operator"));
            Assert.That(rebuilt.Value.Item1.History.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Acknowledged }));

            using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey, url);
            string oldId;
            await using (var sse = await SseClient.OpenAsync(http))
            {
                var marker = await FeedCity.RaiseAsync("md-replay-marker");
                oldId = (await sse.ReadUntilAsync(m => m.Data.Contains(marker.Id, StringComparison.Ordinal), Wait))[^1].Id!;
            }

            for (var i = 0; i < 5; i++)
            {
                await FeedCity.RaiseAsync($"md-replay-{i}");
            }

            // Wait until the second feed has applied more than its buffer holds since oldId.
            await FeedCity.PollAsync(async () => (await http.GetFromJsonAsync<FeedHealth>("/health", FeedCity.Json))!.StreamHead >= Seq(oldId) + 5 ? "" : null, Wait);
            await using var resumed = await SseClient.OpenAsync(http, oldId);
            var first = await resumed.NextAsync(Wait);
            Assert.That(first?.Event, Is.EqualTo("reset"));
            Assert.That(JsonDocument.Parse(first!.Data).RootElement.GetProperty("reason").GetString(), Does.Contain("older than the replay buffer"));
        }
        finally
        {
            await second.StopAsync();
        }
    }

    private static long Seq(string id) => long.Parse(id[(id.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
