using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Sensing.Core.Alerts;
using Sensing.Feed;

namespace Sensing.IntegrationTests.Feed;

/// <summary>Timed shelving: a shelve ends by itself at its time, audited on sensing.alerts.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ShelveExpiryTests
{
    [Test]
    public async Task Shelve_TwoSeconds_UnshelvesItselfAtExpiry()
    {
        var alert = await FeedCity.RaiseAsync("md-shelve-expiry");
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        await using var sse = await SseClient.OpenAsync(http);
        var clock = Stopwatch.StartNew();

        using var response = await http.PostAsync($"/api/alerts/{alert.Id}/shelve", JsonContent.Create(new { duration = 2, note = "valve maintenance" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var shelvedDetail = await response.Content.ReadFromJsonAsync<AlertDetail>(FeedCity.Json);
        Assert.That(shelvedDetail!.Alert.Shelved, Is.True);
        var until = shelvedDetail.Alert.ShelvedUntilMs!.Value;
        var listed = await http.GetFromJsonAsync<AlertSummary[]>("/api/alerts?state=shelved", FeedCity.Json);
        Assert.That(listed!.Select(a => a.Id), Does.Contain(alert.Id));

        var unshelved = await FeedCity.PollAsync(async () =>
            await FeedCity.DetailAsync(alert.Id) is { } d && d.History[^1].Type == AlertEventType.Unshelved ? d : null, TimeSpan.FromSeconds(20));
        var elapsed = clock.Elapsed;

        Assert.That(unshelved, Is.Not.Null, "the shelve ends by itself");
        Assert.That(unshelved!.Alert.Shelved, Is.False);
        Assert.That(elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "not before its time");
        var last = unshelved.History[^1];
        Assert.That(last.Type, Is.EqualTo(AlertEventType.Unshelved));
        Assert.That(last.Actor, Is.EqualTo("shelve-expiry"));
        Assert.That(last.EventTimeMs, Is.EqualTo(until), "the unshelve happens at the shelve's end");

        var stream = await sse.ReadUntilAsync(m => m.Data.Contains("\"Unshelved\"", StringComparison.Ordinal) && m.Data.Contains(alert.Id, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.That(stream, Is.Not.Empty);
        Assert.That(stream[^1].Data, Does.Contain("\"Unshelved\""), "stream clients see the expiry");

        var inKafka = await Task.Run(() => FeedCity.EventsInKafka(alert.Id));
        Assert.That(inKafka.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Shelved, AlertEventType.Unshelved }));
        Assert.That(inKafka[1].Actor, Is.EqualTo("operator"));
        Assert.That(inKafka[1].Note, Is.EqualTo("valve maintenance"));
        Assert.That(inKafka[1].ShelvedUntilMs, Is.EqualTo(until));
        Assert.That(inKafka[2].Actor, Is.EqualTo("shelve-expiry"));
    }

    [Test]
    public async Task Shelve_AlreadyShelved_409ThenUnshelveEndsIt()
    {
        var alert = await FeedCity.RaiseAsync("md-shelve-twice");
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);

        using var first = await http.PostAsync($"/api/alerts/{alert.Id}/shelve", JsonContent.Create(new { duration = "PT30M" }));
        using var again = await http.PostAsync($"/api/alerts/{alert.Id}/shelve", JsonContent.Create(new { duration = 60 }));
        using var unshelve = await http.PostAsync($"/api/alerts/{alert.Id}/unshelve", JsonContent.Create(new { note = "back in service" }));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(unshelve.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var detail = await FeedCity.DetailAsync(alert.Id);
        Assert.That(detail.Alert.Shelved, Is.False);
        Assert.That(detail.History.Select(e => (e.Type, e.Actor)), Is.EqualTo(new (AlertEventType, string?)[]
        {
            (AlertEventType.Raised, null), (AlertEventType.Shelved, "operator"), (AlertEventType.Unshelved, "operator"),
        }));
    }

    [Test]
    public async Task Shelve_EndedWhileNoFeedWatched_FeedPublishesTheExpiry()
    {
        // A shelve written by some feed instance that stopped before its end: the running feed ends it.
        var alert = await FeedCity.RaiseAsync("md-shelve-orphan");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await FeedCity.PublishAsync(alert with
        {
            Type = AlertEventType.Shelved, EventTimeMs = now - 5_000, Actor = "night-shift", Note = "pump swap", ShelvedUntilMs = now - 1_000,
        });

        var detail = await FeedCity.PollAsync(async () =>
            await FeedCity.DetailAsync(alert.Id) is { History.Count: 3 } d ? d : null, TimeSpan.FromSeconds(20));

        Assert.That(detail, Is.Not.Null, "the feed ends the shelve");
        Assert.That(detail!.Alert.Shelved, Is.False);
        Assert.That(detail.History[2].Type, Is.EqualTo(AlertEventType.Unshelved));
        Assert.That(detail.History[2].Actor, Is.EqualTo("shelve-expiry"));
        Assert.That(detail.History[2].EventTimeMs, Is.EqualTo(now - 1_000));
        var inKafka = await Task.Run(() => FeedCity.EventsInKafka(alert.Id));
        Assert.That(inKafka.Count(e => e.Type == AlertEventType.Unshelved), Is.EqualTo(1), "one expiry on the topic");
    }
}
