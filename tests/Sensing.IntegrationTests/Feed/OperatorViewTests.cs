using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Feed;
using Sensing.Feed.Endpoints;

namespace Sensing.IntegrationTests.Feed;

/// <summary>
/// What the console reads beside the list, against a real feed on a real Kafka: the list's text filter, open state
/// and severity order; districts; the city's time zone; the alarm load; and the outage group acknowledgement.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OperatorViewTests
{
    [Test]
    public async Task List_TextOpenStateAndSeverityOrder_AsAsked()
    {
        var district = "d-order-" + Guid.NewGuid().ToString("N")[..6];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var low = FeedCity.Raise("ord-low-pump", AlertCondition.LowBattery, AlertSeverity.Low, district, now);
        var critical = FeedCity.Raise("ord-crit-valve", AlertCondition.MethaneHigh, AlertSeverity.Critical, district, now - 60_000);
        var high = FeedCity.Raise("ord-high-pump", AlertCondition.MethaneHigh, AlertSeverity.High, district, now - 30_000);
        await FeedCity.PublishAllAsync([low, critical, high]);
        await FeedCity.WaitForDistrictAsync(district, 3);
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);

        var bySeverity = await http.GetFromJsonAsync<AlertSummary[]>($"/api/alerts?district={district}&sort=severity", FeedCity.Json);
        Assert.That(bySeverity!.Select(a => a.Id), Is.EqualTo(new[] { critical.Id, high.Id, low.Id }), "highest severity first");
        var byRaise = await http.GetFromJsonAsync<AlertSummary[]>($"/api/alerts?district={district}", FeedCity.Json);
        Assert.That(byRaise!.Select(a => a.Id), Is.EqualTo(new[] { low.Id, high.Id, critical.Id }), "newest raise first");

        using var text = await http.GetAsync($"/api/alerts?district={district}&text=PUMP");
        Assert.That(text.Headers.GetValues("X-Total-Count").Single(), Is.EqualTo("2"));
        Assert.That((await text.Content.ReadFromJsonAsync<AlertSummary[]>(FeedCity.Json))!.Select(a => a.Source),
            Is.EquivalentTo(new[] { "ord-low-pump", "ord-high-pump" }), "text matches the source, case-insensitive");

        using var shelve = await http.PostAsync($"/api/alerts/{high.Id}/shelve", JsonContent.Create(new { duration = 600 }));
        Assert.That(shelve.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var open = await http.GetFromJsonAsync<AlertSummary[]>($"/api/alerts?district={district}&state=open", FeedCity.Json);
        Assert.That(open!.Select(a => a.Id), Is.EquivalentTo(new[] { low.Id, critical.Id }), "open: active and not shelved");

        var districts = await http.GetFromJsonAsync<DistrictAlerts[]>("/api/districts", FeedCity.Json);
        Assert.That(districts!.Single(d => d.District == district),
            Is.EqualTo(new DistrictAlerts(district, Critical: 1, High: 0, Medium: 0, Low: 1, Unacknowledged: 2, Shelved: 1, Outages: 0, OutageUnacknowledged: 0)));
    }

    [TestCase("sort=worst", "sort")]
    [TestCase("text=", "text")]
    public async Task List_BadSortOrText_400NamingIt(string query, string field)
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        using var response = await http.GetAsync("/api/alerts?" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("field").GetString(), Is.EqualTo(field));
    }

    [Test]
    public async Task City_NoZoneGiven_UtcAndEveryCondition()
    {
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        var city = await http.GetFromJsonAsync<CityView>("/api/city", FeedCity.Json);
        Assert.That(city!.TimeZone, Is.EqualTo("UTC"));
        Assert.That(city.UtcOffsetMinutes, Is.Zero);
        Assert.That(city.Conditions, Does.Contain("gas.methane-high").And.Contain("device.offline"));
    }

    [Test]
    public async Task AlarmLoad_ChatteringStandingAndShelved_Counted()
    {
        var district = "d-load-" + Guid.NewGuid().ToString("N")[..6];
        var source = "load-chatter-" + district;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        var before = (await http.GetFromJsonAsync<AlarmLoad>("/api/metrics/alarm-load", FeedCity.Json))!;

        // Four raises of one source and condition within 40 s (each raise is a new alert, cleared in between), one
        // alert standing since 25 h ago.
        List<AlertEvent> raises = [.. Enumerable.Range(0, 4).Select(i => FeedCity.Raise(source, AlertCondition.MethaneHigh, AlertSeverity.High, district, now - 40_000 + i * 10_000))];
        var standing = FeedCity.Raise("load-standing-" + district, AlertCondition.MeterMicroLeak, AlertSeverity.Low, district, now - 25 * 3_600_000L);
        await FeedCity.PublishAllAsync([.. raises, standing]);
        await FeedCity.WaitForDistrictAsync(district, 5);
        using var shelve = await http.PostAsync($"/api/alerts/{raises[^1].Id}/shelve", JsonContent.Create(new { duration = 600 }));
        Assert.That(shelve.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var load = (await http.GetFromJsonAsync<AlarmLoad>("/api/metrics/alarm-load", FeedCity.Json))!;
        Assert.That(load.TargetPer10Minutes, Is.EqualTo(1));
        Assert.That(load.Last10Minutes, Is.GreaterThanOrEqualTo(before.Last10Minutes + 4), "the four raises are in the last 10 minutes");
        Assert.That(load.Last24Hours, Is.EqualTo(before.Last24Hours + 4), "the standing alert was raised before the last 24 h");
        Assert.That(load.Standing, Is.EqualTo(before.Standing + 1));
        Assert.That(load.Shelved, Is.EqualTo(before.Shelved + 1));
        Assert.That(load.Chattering, Has.One.Matches<AlarmSource>(c => c.Source == source && c.Condition == "gas.methane-high" && c.Raises == 4));
        Assert.That(load.MostFrequent, Has.Some.Matches<AlarmSource>(c => c.Source == source && c.Raises == 4));
        Assert.That(load.AveragePer10Minutes, Is.EqualTo(Math.Round(load.Last24Hours / 144.0, 2)));
    }

    [Test]
    public async Task OutageAck_DistrictOutage_EachAlertAcknowledgedAndAuditedLikeOne()
    {
        var district = "d-outage-" + Guid.NewGuid().ToString("N")[..6];
        var (outage, members, unrelated) = await RaiseOutageAsync(district);
        using var viewer = FeedCity.Client(FeedCity.City.FeedKeys.ViewerKey);
        using var refused = await viewer.PostAsync($"/api/districts/{district}/outage/ack", null);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        using var http = FeedCity.Client(FeedCity.City.FeedKeys.OperatorKey);
        using var response = await http.PostAsync($"/api/districts/{district}/outage/ack", JsonContent.Create(new { note = "concentrator power restored" }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var done = (await response.Content.ReadFromJsonAsync<OutageAcknowledgement>(FeedCity.Json))!;
        string[] group = [outage.Id, .. members.Select(m => m.Id)];
        Assert.That(done.Acknowledged, Is.EquivalentTo(group));
        Assert.That(done.AlreadyAcknowledged, Is.Zero);

        foreach (var id in group)
        {
            var detail = await FeedCity.DetailAsync(id);
            Assert.That(detail.Alert.AcknowledgedBy, Is.EqualTo("operator"), id);
            var audit = FeedCity.EventsInKafka(id).Where(e => e.Type == AlertEventType.Acknowledged).ToList();
            Assert.That(audit, Has.Count.EqualTo(1), $"{id}: one acknowledgement event on sensing.alerts");
            Assert.That(audit[0].Actor, Is.EqualTo("operator"));
            Assert.That(audit[0].Note, Is.EqualTo("concentrator power restored"));
        }

        Assert.That((await FeedCity.DetailAsync(unrelated.Id)).Alert.Acknowledged, Is.False, "a member device's other alert is not part of the outage");
        using var again = await http.PostAsync($"/api/districts/{district}/outage/ack", null);
        var second = (await again.Content.ReadFromJsonAsync<OutageAcknowledgement>(FeedCity.Json))!;
        Assert.That(second.Acknowledged, Is.Empty, "acknowledging again publishes nothing");
        Assert.That(second.AlreadyAcknowledged, Is.EqualTo(3), "the outage's alerts are still active, and acknowledged");
        using var none = await http.PostAsync("/api/districts/d-no-outage/outage/ack", null);
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>
    /// A district outage as the processor writes one: the district's device.offline alert listing two devices, the
    /// two devices' own offline alerts, and a methane alert of one of them. Returns them once the feed lists them.
    /// </summary>
    internal static async Task<(AlertEvent Outage, AlertEvent[] Members, AlertEvent Unrelated)> RaiseOutageAsync(string district)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string[] devices = [district + "-m1", district + "-m2"];
        var outage = FeedCity.Raise(district, AlertCondition.DeviceOffline, AlertSeverity.High, district, now, devices);
        AlertEvent[] members = [.. devices.Select(d => FeedCity.Raise(d, AlertCondition.DeviceOffline, AlertSeverity.Medium, district, now - 5_000))];
        var unrelated = FeedCity.Raise(devices[0], AlertCondition.MethaneHigh, AlertSeverity.High, district, now - 60_000);
        await FeedCity.PublishAllAsync([outage, .. members, unrelated]);
        await FeedCity.WaitForDistrictAsync(district, 4);
        return (outage, members, unrelated);
    }
}
