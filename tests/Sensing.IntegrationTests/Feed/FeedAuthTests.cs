using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;

namespace Sensing.IntegrationTests.Feed;

/// <summary>API keys and roles against a real feed on a real Kafka: refused requests change nothing, in the API or on the topic.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FeedAuthTests
{
    public enum Caller
    {
        NoKey,
        WrongKey,
        Viewer,
    }

    [TestCase(Caller.NoKey, "ack", HttpStatusCode.Unauthorized)]
    [TestCase(Caller.WrongKey, "ack", HttpStatusCode.Unauthorized)]
    [TestCase(Caller.Viewer, "ack", HttpStatusCode.Forbidden)]
    [TestCase(Caller.NoKey, "shelve", HttpStatusCode.Unauthorized)]
    [TestCase(Caller.WrongKey, "shelve", HttpStatusCode.Unauthorized)]
    [TestCase(Caller.Viewer, "shelve", HttpStatusCode.Forbidden)]
    public async Task Action_RefusedCaller_StatusAndNothingChanged(Caller caller, string action, HttpStatusCode expected)
    {
        var alert = await FeedCity.RaiseAsync($"md-auth-{caller}-{action}".ToLowerInvariant());
        using var http = FeedCity.Client(caller switch
        {
            Caller.NoKey => null,
            Caller.WrongKey => "not-a-key-" + Guid.NewGuid().ToString("N"),
            _ => FeedCity.City.FeedKeys.ViewerKey,
        });

        using var response = await http.PostAsync($"/api/alerts/{alert.Id}/{action}", JsonContent.Create(new { duration = 600, note = "refused" }));

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo((int)expected));
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("X-Api-Key"));

        var detail = await FeedCity.DetailAsync(alert.Id);
        Assert.That(detail.Alert.Acknowledged, Is.False, "the API shows no acknowledgement");
        Assert.That(detail.Alert.Shelved, Is.False, "the API shows no shelve");
        Assert.That(detail.History.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }));
        Assert.That(FeedCity.EventsInKafka(alert.Id).Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }), "nothing written to sensing.alerts");
    }

    [Test]
    public async Task Acknowledge_OperatorKey_AuditedInKafkaAndIdempotent()
    {
        var alert = await FeedCity.RaiseAsync("md-auth-operator");
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);

        using var first = await http.PostAsync($"/api/alerts/{alert.Id}/ack", JsonContent.Create(new { note = "crew sent" }));
        using var second = await http.PostAsync($"/api/alerts/{alert.Id}/ack", null);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), "acknowledging again is not an error");
        var detail = await FeedCity.DetailAsync(alert.Id);
        Assert.That(detail.Alert.Acknowledged, Is.True);
        Assert.That(detail.Alert.AcknowledgedBy, Is.EqualTo("operator"));
        var inKafka = FeedCity.EventsInKafka(alert.Id);
        Assert.That(inKafka.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Acknowledged }), "one audit event, not two");
        Assert.That(inKafka[1].Actor, Is.EqualTo("operator"));
        Assert.That(inKafka[1].Note, Is.EqualTo("crew sent"));
        Assert.That(inKafka[1].EventTimeMs, Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Within(60_000));
    }

    [TestCase("/api/alerts")]
    [TestCase("/api/alerts/a-0000000000000000")]
    [TestCase("/api/alerts/stream")]
    [TestCase("/api/me")]
    [TestCase("/api/export?what=alerts")]
    [TestCase("/api/districts")]
    [TestCase("/api/city")]
    [TestCase("/api/metrics/alarm-load")]
    [TestCase("/api/no-such-thing")]
    public async Task Read_NoKey_Unauthorized(string path)
    {
        using var http = FeedCity.Client(null);
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("X-Api-Key"));
    }

    [Test]
    public async Task List_KeyInQuery_UnauthorizedBecauseOnlyTheStreamTakesIt()
    {
        using var http = FeedCity.Client(null);
        using var response = await http.GetAsync($"/api/alerts?key={Uri.EscapeDataString(FeedCity.City.FeedKeys.ViewerKey)}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Stream_ViewerKeyInQuery_EventStream()
    {
        using var http = FeedCity.Client(null);
        using var response = await http.GetAsync($"/api/alerts/stream?key={Uri.EscapeDataString(FeedCity.City.FeedKeys.ViewerKey)}",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
    }

    [Test]
    public async Task Me_ViewerKey_NameAndRole()
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        using var me = JsonDocument.Parse(await http.GetStringAsync("/api/me"));
        Assert.That(me.RootElement.GetProperty("name").GetString(), Is.EqualTo("viewer"));
        Assert.That(me.RootElement.GetProperty("role").GetString(), Is.EqualTo("viewer"));
    }
}
