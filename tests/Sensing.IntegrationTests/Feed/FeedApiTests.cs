using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sensing.Core.Alerts;
using Sensing.Feed;

namespace Sensing.IntegrationTests.Feed;

/// <summary>Queries, errors and actions of the feed API against a real feed on a real Kafka.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FeedApiTests
{
    [Test]
    public async Task List_FiltersAndPaging_MatchingAlertsOnly()
    {
        var district = "d-filter-" + Guid.NewGuid().ToString("N")[..6];
        var low = await FeedCity.RaiseAsync("md-filter-low", AlertSeverity.Low, district);
        var high = await FeedCity.RaiseAsync("md-filter-high", AlertSeverity.High, district);
        var critical = await FeedCity.RaiseAsync("md-filter-critical", AlertSeverity.Critical, district);
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);

        var atLeastHigh = await http.GetFromJsonAsync<AlertSummary[]>($"/api/alerts?district={district}&severity=high", FeedCity.Json);
        Assert.That(atLeastHigh!.Select(a => a.Id), Is.EquivalentTo(new[] { high.Id, critical.Id }));

        using var page = await http.GetAsync($"/api/alerts?district={district}&limit=2");
        var items = await page.Content.ReadFromJsonAsync<AlertSummary[]>(FeedCity.Json);
        Assert.That(page.Headers.GetValues("X-Total-Count").Single(), Is.EqualTo("3"));
        Assert.That(items!.Select(a => a.Id), Is.EqualTo(new[] { critical.Id, high.Id }), "newest raise first");
        var next = page.Headers.GetValues("Link").Single();
        Assert.That(next, Does.Contain("offset=2").And.Contain("rel=\"next\""));
        var rest = await http.GetFromJsonAsync<AlertSummary[]>(next[1..next.IndexOf('>', StringComparison.Ordinal)], FeedCity.Json);
        Assert.That(rest!.Select(a => a.Id), Is.EqualTo(new[] { low.Id }));

        var window = await http.GetFromJsonAsync<AlertSummary[]>(
            $"/api/alerts?district={district}&since={high.RaisedAtMs}&until={critical.RaisedAtMs}", FeedCity.Json);
        Assert.That(window!.Select(a => a.Id), Is.EqualTo(new[] { high.Id }));

        var byKind = await http.GetFromJsonAsync<AlertSummary[]>($"/api/alerts?district={district}&kind=methane-detector&condition=gas.methane-high&state=unacknowledged", FeedCity.Json);
        Assert.That(byKind, Has.Length.EqualTo(3));
    }

    [TestCase("state=opened", "state")]
    [TestCase("severity=extreme", "severity")]
    [TestCase("condition=gas.nothing", "condition")]
    [TestCase("kind=toaster", "kind")]
    [TestCase("since=yesterday", "since")]
    [TestCase("limit=0", "limit")]
    [TestCase("offset=-1", "offset")]
    [TestCase("since=2000&until=1000", "until")]
    [TestCase("response=yes", "response")]
    public async Task List_BadParameter_400NamingIt(string query, string field)
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        using var response = await http.GetAsync("/api/alerts?" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("field").GetString(), Is.EqualTo(field));
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.StartWith(field + ":"));
    }

    [Test]
    public async Task Detail_UnknownId_404Problem()
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        using var get = await http.GetAsync("/api/alerts/a-ffffffffffffffff");
        using var ack = await http.PostAsync("/api/alerts/a-ffffffffffffffff/ack", null);
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(get.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(ack.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("{\"note\": 5, \"duration\": 60}", "note")]
    [TestCase("{\"note\": \"x\"}", "duration")]
    [TestCase("{\"duration\": \"soon\"}", "duration")]
    [TestCase("{\"duration\": 0.1}", "duration")]
    [TestCase("{\"duration\": 172800}", "duration")]
    [TestCase("{not json", "body")]
    public async Task Shelve_BadBody_400NamingFieldAndNothingChanged(string body, string field)
    {
        var alert = await FeedCity.RaiseAsync("md-badbody-" + field);
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        using var response = await http.PostAsync($"/api/alerts/{alert.Id}/shelve", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("field").GetString(), Is.EqualTo(field));
        Assert.That((await FeedCity.DetailAsync(alert.Id)).History, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Unshelve_NotShelved_409()
    {
        var alert = await FeedCity.RaiseAsync("md-unshelve-409");
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        using var response = await http.PostAsync($"/api/alerts/{alert.Id}/unshelve", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("not shelved"));
    }

    [Test]
    public async Task Shelve_ClearedAlert_409()
    {
        var alert = await FeedCity.RaiseAsync("md-cleared-409");
        var cleared = alert with { Type = AlertEventType.Cleared, EventTimeMs = alert.EventTimeMs + 1000, ClearedAtMs = alert.EventTimeMs + 1000 };
        await FeedCity.PublishAsync(cleared);
        await FeedCity.PollAsync(async () => (await FeedCity.DetailAsync(alert.Id)).State == "cleared" ? "" : null, TimeSpan.FromSeconds(30));
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        using var response = await http.PostAsync($"/api/alerts/{alert.Id}/shelve", JsonContent.Create(new { duration = 60 }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        using var ack = await http.PostAsync($"/api/alerts/{alert.Id}/ack", null);
        Assert.That(ack.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a cleared, unacknowledged alert may be acknowledged (ISA-18.2)");
    }

    [Test]
    public async Task OpenApi_EveryApiRoute_Described()
    {
        using var http = FeedCity.Client(null);
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi.json"));
        Assert.That(document.RootElement.GetProperty("openapi").GetString(), Does.StartWith("3.1"));
        var paths = document.RootElement.GetProperty("paths");
        var mapped = FeedCity.City.FeedServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(e => e.Path.StartsWith("/api/", StringComparison.Ordinal) || e.Path == "/health")
            .ToList();
        Assert.That(mapped, Has.Count.GreaterThanOrEqualTo(8), "the API's routes");
        foreach (var (path, methods) in mapped)
        {
            Assert.That(paths.TryGetProperty(path, out var item), Is.True, $"{path} is in /openapi.json");
            foreach (var method in methods)
            {
                Assert.That(item.TryGetProperty(method.ToLowerInvariant(), out var operation), Is.True, $"{method} {path} is in /openapi.json");
                Assert.That(operation.TryGetProperty("security", out _), Is.EqualTo(path != "/health"), $"{method} {path}: key requirement described");
            }
        }

        Assert.That(document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey").GetProperty("name").GetString(),
            Is.EqualTo("X-Api-Key"));
    }
}
