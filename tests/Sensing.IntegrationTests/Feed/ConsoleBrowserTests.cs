using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Sensing.Core.Alerts;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.IntegrationTests.Pipeline;

namespace Sensing.IntegrationTests.Feed;

/// <summary>
/// The operator console in a real browser (Debian's chromium driven by Playwright; the browser is never
/// downloaded), on the real pipeline: a methane reading published with mosquitto_pub goes through the gateway,
/// Kafka and the processor, and its alert must appear in the open page without a reload.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleBrowserTests
{
    private ConsoleBrowser? _console;

    [OneTimeSetUp]
    public async Task StartBrowserAsync() => _console = await ConsoleBrowser.LaunchAsync();

    [OneTimeTearDown]
    public async Task StopBrowserAsync()
    {
        if (_console is not null)
        {
            await _console.DisposeAsync();
        }
    }

    [Test]
    public async Task Console_MethaneReadingPublished_AlertAppearsLiveAndOperatorAcknowledges()
    {
        var city = FeedCity.City;
        await using var context = await _console!.NewContextAsync();
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };

        await page.GotoAsync(city.FeedUrl + "/");
        await page.Locator("#key-input").FillAsync(city.FeedKeys.OperatorKey);
        await page.Locator("#key-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("operator (operator)");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var exit = await MosquittoPub.PublishAsync(city.GatewayEndPoint, "md-console", FeedCity.DevicePassword, "sensing/md-console/up",
            $"{{\"seq\":1,\"ts\":{now},\"lel\":31.5,\"battery\":3.6}}");
        Assert.That(exit, Is.Zero, "mosquitto_pub got its PUBACK");
        var published = Stopwatch.StartNew();

        var row = page.Locator("#alert-rows tr", new() { HasText = "md-console" });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var appearedAfter = published.Elapsed;
        TestContext.Out.WriteLine($"alert row visible {appearedAfter.TotalMilliseconds:0} ms after mosquitto_pub's PUBACK");
        Assert.That(appearedAfter, Is.LessThan(TimeSpan.FromSeconds(2)), "the alert appears within 2 s of the reading");
        Assert.That(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), Is.True, "no reload");
        await Assertions.Expect(row.Locator(".badge.sev-high")).ToHaveTextAsync("High");
        var alertId = await row.GetAttributeAsync("data-alert-id");
        await Assertions.Expect(page.Locator("#district-summary tr[data-district='d07']")).ToContainTextAsync("1");

        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#detail-title")).ToHaveTextAsync("gas.methane-high on md-console");
        await page.Locator("#action-note").FillAsync("crew dispatched");
        await page.Locator("#ack-button").ClickAsync();
        await Assertions.Expect(page.Locator("#action-message")).ToHaveTextAsync("Acknowledged.", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#history tbody tr", new() { HasText = "Acknowledged" })).ToContainTextAsync("crew dispatched");
        await Assertions.Expect(row).ToContainTextAsync("ACK", new() { Timeout = 5_000 });

        var detail = await FeedCity.DetailAsync(alertId!);
        Assert.That(detail.Alert.Acknowledged, Is.True, "the API shows the acknowledgement");
        Assert.That(detail.Alert.AcknowledgedBy, Is.EqualTo("operator"));
        Assert.That(detail.History[^1].Note, Is.EqualTo("crew dispatched"));

        await ConsoleBrowser.ScreenshotAsync(page, "operator-console.png", "operator console after the acknowledgement");
        Assert.That(consoleErrors, Is.Empty, "no script errors in the page");
    }

    [Test]
    public async Task Console_SelectedAlert_ShowsItsResponseText()
    {
        var city = FeedCity.City;
        var alert = await FeedCity.RaiseAsync("md-console-response", AlertSeverity.Critical, "d13");
        await using var context = await _console!.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(city.FeedUrl + "/");
        await page.Locator("#key-input").FillAsync(city.FeedKeys.ViewerKey);
        await page.Locator("#key-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#detail-response")).ToBeHiddenAsync();

        await page.Locator($"#alert-rows tr[data-alert-id='{alert.Id}']").ClickAsync(new() { Timeout = 15_000 });

        // The detail is fetched after the click; a loaded machine may take a while.
        var response = page.Locator("#detail-response");
        await Assertions.Expect(page.Locator("#detail-title")).ToHaveTextAsync("gas.methane-high on md-console-response", new() { Timeout = 15_000 });
        await Assertions.Expect(response).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(response.Locator("h3")).ToHaveTextAsync("What to do");
        await Assertions.Expect(page.Locator("#response-text")).ToContainTextAsync("Methane at md-console-response (d13) at the second alarm level", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#response-text")).ToContainTextAsync("Evacuate the building");
        await Assertions.Expect(response).ToHaveClassAsync("response sev-critical");

        await ConsoleBrowser.ScreenshotAsync(page, "operator-console-response.png", "the selected alert's response text");
    }

    [Test]
    public async Task Console_ViewerKey_ActionsDisabled()
    {
        var city = FeedCity.City;
        var alert = await FeedCity.RaiseAsync("md-console-viewer", district: "d08");
        await using var context = await _console!.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(city.FeedUrl + "/");
        await page.Locator("#key-input").FillAsync(city.FeedKeys.ViewerKey);
        await page.Locator("#key-submit").ClickAsync();
        await page.Locator($"#alert-rows tr[data-alert-id='{alert.Id}']").ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#detail-title")).ToContainTextAsync("md-console-viewer");
        await Assertions.Expect(page.Locator("#ack-button")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#shelve-button")).ToBeDisabledAsync();
        using var http = FeedCity.Client(city.FeedKeys.ViewerKey);
        Assert.That((await http.GetFromJsonAsync<AlertDetail>($"/api/alerts/{alert.Id}", FeedCity.Json))!.Alert.Acknowledged, Is.False);
    }
    [Test]
    public async Task Console_CriticalAlertRaised_SoundsAndFlashesUntilAcknowledged()
    {
        var city = FeedCity.City;
        await using var context = await _console!.NewContextAsync();
        // Every tone is an oscillator: count them where the page makes them.
        await context.AddInitScriptAsync("""
            window.oscillators = 0;
            const make = AudioContext.prototype.createOscillator;
            AudioContext.prototype.createOscillator = function () { window.oscillators++; return make.call(this); };
            """);
        var page = await OpenConsoleAsync(context, city.FeedKeys.OperatorKey);
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-alarm", "quiet");

        var alert = await FeedCity.RaiseAsync("md-attention", AlertSeverity.Critical, "d-attention");
        var body = page.Locator("body");
        await Assertions.Expect(body).ToHaveAttributeAsync("data-alarm", "sounding", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#attention")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#attention-text")).ToContainTextAsync("1 new Critical alert not acknowledged");
        var row = page.Locator($"#alert-rows tr[data-alert-id='{alert.Id}']");
        await Assertions.Expect(row).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\balarm\b"));
        await Assertions.Expect(body).ToHaveAttributeAsync("data-tones", "2", new() { Timeout = 10_000 });
        Assert.That(await page.EvaluateAsync<int>("() => window.oscillators"), Is.GreaterThanOrEqualTo(4), "each tone is two oscillators");

        await Assertions.Expect(page.Locator("#load-fields dd").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[1-9][0-9]* raised \(target 1\)$"),
            new() { Timeout = 10_000 });
        await ConsoleBrowser.ScreenshotAsync(page, "console-critical-sounding.png", "a new Critical alert sounding: banner and row flash; the alarm load counts it");
        await page.Locator("#mute-button").ClickAsync();
        await Assertions.Expect(body).ToHaveAttributeAsync("data-alarm", "muted");
        var mutedAt = await page.EvaluateAsync<int>("() => window.oscillators");
        await page.WaitForTimeoutAsync(3_000);
        Assert.That(await page.EvaluateAsync<int>("() => window.oscillators"), Is.EqualTo(mutedAt), "no tone while muted");
        await Assertions.Expect(page.Locator("#attention")).ToBeVisibleAsync();
        await page.Locator("#mute-button").ClickAsync();
        await Assertions.Expect(body).ToHaveAttributeAsync("data-alarm", "sounding");

        await row.ClickAsync();
        await page.Locator("#ack-button").ClickAsync();
        await Assertions.Expect(body).ToHaveAttributeAsync("data-alarm", "quiet", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#attention")).ToBeHiddenAsync();
        var silencedAt = await page.EvaluateAsync<int>("() => window.oscillators");
        await page.WaitForTimeoutAsync(3_000);
        Assert.That(await page.EvaluateAsync<int>("() => window.oscillators"), Is.EqualTo(silencedAt), "no tone once acknowledged");
        Assert.That((await FeedCity.DetailAsync(alert.Id)).Alert.Acknowledged, Is.True);
    }

    [Test]
    public async Task Console_DistrictOutage_OneActionAcknowledgesEveryAlertOfIt()
    {
        var city = FeedCity.City;
        var district = "d-outage-ui-" + Guid.NewGuid().ToString("N")[..4];
        var (outage, members, unrelated) = await OperatorViewTests.RaiseOutageAsync(district);
        await using var context = await _console!.NewContextAsync();
        var page = await OpenConsoleAsync(context, city.FeedKeys.OperatorKey);

        var button = page.Locator($"#district-summary button.outage-ack[data-district='{district}']");
        await Assertions.Expect(button).ToHaveTextAsync("Ack outage (3)", new() { Timeout = 10_000 });
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("#group-message")).ToHaveTextAsync($"Outage of {district}: 3 alerts acknowledged.", new() { Timeout = 15_000 });
        await Assertions.Expect(button).ToHaveCountAsync(0, new() { Timeout = 5_000 });

        foreach (var id in members.Select(m => m.Id).Append(outage.Id))
        {
            var detail = await FeedCity.DetailAsync(id);
            Assert.That(detail.Alert.AcknowledgedBy, Is.EqualTo("operator"), id);
            Assert.That(detail.History.Count(e => e.Type == AlertEventType.Acknowledged), Is.EqualTo(1), id);
        }

        Assert.That((await FeedCity.DetailAsync(unrelated.Id)).Alert.Acknowledged, Is.False);
    }

    [Test]
    public async Task Console_ManyAlerts_PagedAndFilteredByTheFeed()
    {
        var city = FeedCity.City;
        var district = "d-paging-" + Guid.NewGuid().ToString("N")[..4];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Low severity: sorted after every other test's alerts on the shared feed.
        var alerts = Enumerable.Range(0, 250)
            .Select(i => FeedCity.Raise($"{district}-m{i:D4}", AlertCondition.LowBattery, AlertSeverity.Low, district, now - i * 1000L)).ToList();
        await FeedCity.PublishAllAsync(alerts);
        await FeedCity.WaitForDistrictAsync(district, 250);
        await using var context = await _console!.NewContextAsync();
        var listRequests = new List<string>();
        var page = await OpenConsoleAsync(context, city.FeedKeys.OperatorKey);
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/alerts?", StringComparison.Ordinal))
            {
                listRequests.Add(request.Url);
            }
        };

        await page.Locator("#filter-district").SelectOptionAsync(district);
        await Assertions.Expect(page.Locator("#page-range")).ToHaveTextAsync("1–100 of 250", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#alert-rows tr")).ToHaveCountAsync(100);
        await Assertions.Expect(page.Locator("#alert-rows tr").First).ToContainTextAsync($"{district}-m0000");
        await page.Locator("#page-next").ClickAsync();
        await Assertions.Expect(page.Locator("#page-range")).ToHaveTextAsync("101–200 of 250");
        await Assertions.Expect(page.Locator("#alert-rows tr").First).ToContainTextAsync($"{district}-m0100");
        await page.Locator("#page-next").ClickAsync();
        await Assertions.Expect(page.Locator("#page-range")).ToHaveTextAsync("201–250 of 250");
        await Assertions.Expect(page.Locator("#page-next")).ToBeDisabledAsync();

        await page.Locator("#filter-text").FillAsync("m0123");
        await Assertions.Expect(page.Locator("#page-range")).ToHaveTextAsync("1–1 of 1");
        var raised = await page.Locator("#alert-rows tr td.time").First.TextContentAsync();
        Assert.That(raised, Does.Match(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$"), "date, time and the city's zone");
        await Assertions.Expect(page.Locator("#time-zone")).ToHaveTextAsync("Times: UTC");
        Assert.That(listRequests, Has.Some.Contains($"district={district}").And.Some.Contains("offset=100").And.Some.Contains("text=m0123"),
            "the feed filters and pages");
        Assert.That(listRequests, Has.All.Contains("limit=100"), "one page at a time");
        await ConsoleBrowser.ScreenshotAsync(page, "console-paged.png", "the list paged and filtered by the feed");
    }

    [Test]
    public async Task Console_CityMap_ColoursTheDistrictOfACriticalAlertAndClickFiltersTheList()
    {
        var city = FeedCity.City;
        var suffix = Guid.NewGuid().ToString("N")[..4];
        string north = "dmap-n-" + suffix, south = "dmap-s-" + suffix;
        const string adminKey = "admin-key-for-the-map-test", operatorKey = "operator-key-for-the-map-test";
        var ring = ApiKeyRing.From([new ApiKeyEntry("registry-admin", FeedRole.Admin, ApiKeyRing.Hash(adminKey)),
            new ApiKeyEntry("operator", FeedRole.Operator, ApiKeyRing.Hash(operatorKey))]);
        await using var feed = FeedHost.Build(new FeedOptions { Url = "http://127.0.0.1:0", ApiKeys = ring, StoreUrl = city.Store.BaseUrl },
            city.KafkaOptions, l => l.SetMinimumLevel(LogLevel.Warning));
        await feed.StartAsync();
        try
        {
            var url = FeedHost.BoundUrl(feed);

            // Two districts of the registry with coordinates (given through the admin API): north lies 2.2 km north of south.
            using (var admin = FeedCity.Client(adminKey, url))
            {
                foreach (var (id, district, lat, lon) in new[]
                {
                    ($"mapn-1-{suffix}", north, 30.300, 120.100), ($"mapn-2-{suffix}", north, 30.310, 120.110),
                    ($"maps-1-{suffix}", south, 30.280, 120.100), ($"maps-2-{suffix}", south, 30.290, 120.110),
                })
                {
                    var body = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{{\"kind\":\"methane-detector\",\"district\":\"{district}\",\"report_s\":30,\"lat\":{lat},\"lon\":{lon}}}");
                    var added = await FeedCity.PollAsync(async () =>
                    {
                        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                        using var response = await admin.PutAsync("/api/devices/" + id, content);
                        return response.StatusCode == HttpStatusCode.ServiceUnavailable ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    }, TimeSpan.FromSeconds(60));
                    Assert.That(added, Does.StartWith("200").And.Contain("\"lat\":" + lat.ToString(System.Globalization.CultureInfo.InvariantCulture)), id);
                }
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var critical = FeedCity.Raise($"mapn-1-{suffix}", AlertCondition.MethaneHigh, AlertSeverity.Critical, north, now);
            var high = FeedCity.Raise($"maps-1-{suffix}", AlertCondition.MethaneHigh, AlertSeverity.High, south, now - 1000);
            await FeedCity.PublishAllAsync([critical, high]);
            await FeedCity.WaitForDistrictAsync(north, 1);
            await FeedCity.WaitForDistrictAsync(south, 1);

            await using var context = await _console!.NewContextAsync();
            var page = await OpenConsoleAsync(context, operatorKey, url);
            var northRect = page.Locator($"#city-map g.district[data-district='{north}'] rect");
            var southRect = page.Locator($"#city-map g.district[data-district='{south}'] rect");
            await Assertions.Expect(northRect).ToHaveAttributeAsync("fill", "#ff4d4f", new() { Timeout = 15_000 });
            await Assertions.Expect(northRect).ToHaveAttributeAsync("data-placed", "registry");
            await Assertions.Expect(southRect).ToHaveAttributeAsync("fill", "#ff9f1a");
            await Assertions.Expect(page.Locator($"#city-map circle.device[data-device='mapn-1-{suffix}']")).ToHaveAttributeAsync("fill", "#ff4d4f");
            var northY = double.Parse((await northRect.GetAttributeAsync("y"))!, System.Globalization.CultureInfo.InvariantCulture);
            var southY = double.Parse((await southRect.GetAttributeAsync("y"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(southY - northY, Is.EqualTo(2.224).Within(0.01), "placed by the registry's coordinates: 0.02 degrees of latitude apart");
            await ConsoleBrowser.ScreenshotAsync(page, "console-map.png", "the city map: a district with a Critical alert in red, one with a High alert in orange");

            await page.Locator($"#city-map g.district[data-district='{north}']").ClickAsync();
            await Assertions.Expect(page.Locator("#filter-district")).ToHaveValueAsync(north);
            await Assertions.Expect(page.Locator("#page-range")).ToHaveTextAsync("1–1 of 1", new() { Timeout = 10_000 });
            await Assertions.Expect(page.Locator("#alert-rows tr")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator($"#alert-rows tr[data-alert-id='{critical.Id}']")).ToContainTextAsync(north);
            await Assertions.Expect(northRect).ToHaveClassAsync("selected");

            await page.Locator($"#city-map g.district[data-district='{south}']").ClickAsync();
            await Assertions.Expect(page.Locator("#filter-district")).ToHaveValueAsync(south);
            await Assertions.Expect(page.Locator($"#alert-rows tr[data-alert-id='{high.Id}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Assertions.Expect(page.Locator("#alert-rows tr")).ToHaveCountAsync(1);
        }
        finally
        {
            await feed.StopAsync();
        }
    }

    [Test]
    public async Task Console_MethaneReadingPublished_TrendChartShowsThresholdsAndRaiseMark()
    {
        var city = FeedCity.City;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (seq, ts, lel) in new[] { (1, now - 20_000, 8.0), (2, now, 31.5) })
        {
            var exit = await MosquittoPub.PublishAsync(city.GatewayEndPoint, "md-trend", FeedCity.DevicePassword, "sensing/md-trend/up",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":{ts},\"lel\":{lel},\"battery\":3.6}}"));
            Assert.That(exit, Is.Zero, "mosquitto_pub got its PUBACK");
        }

        using var http = FeedCity.Client(city.FeedKeys.ViewerKey);
        var alert = await FeedCity.PollAsync(async () =>
            (await http.GetFromJsonAsync<List<AlertSummary>>("/api/alerts?state=active&text=md-trend", FeedCity.Json))!.FirstOrDefault(), TimeSpan.FromSeconds(30));
        Assert.That(alert, Is.Not.Null, "the processor raised the methane alert");
        Assert.That(alert!.RaisedAtMs, Is.EqualTo(now), "raised by the 31.5 %LEL reading");

        await using var context = await _console!.NewContextAsync();
        var page = await OpenConsoleAsync(context, city.FeedKeys.OperatorKey);
        await page.Locator($"#alert-rows tr[data-alert-id='{alert.Id}']").ClickAsync(new() { Timeout = 15_000 });

        var chart = page.Locator("#trend-chart");
        var level1 = chart.Locator("line.threshold[data-value='25']");
        var level2 = chart.Locator("line.threshold[data-value='50']");
        var raise = chart.Locator("line.raise-mark");
        await Assertions.Expect(level1).ToHaveAttributeAsync("data-name", "level 1", new() { Timeout = 15_000 });
        await Assertions.Expect(level2).ToHaveAttributeAsync("data-name", "level 2");
        await Assertions.Expect(chart.Locator("line.threshold[data-value='20']")).ToHaveAttributeAsync("data-name", "clears below");
        await Assertions.Expect(raise).ToHaveAttributeAsync("data-time", now.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The store is a few seconds behind the alert: the console asks again until the readings are there.
        await Assertions.Expect(chart.Locator("circle.reading")).ToHaveCountAsync(2, new() { Timeout = 40_000 });

        double Number(string? text) => double.Parse(text!, System.Globalization.CultureInfo.InvariantCulture);
        async Task<double> Data(string name) => Number(await chart.GetAttributeAsync("data-" + name));
        var (low, high, top, bottom) = (await Data("value-low"), await Data("value-high"), await Data("plot-top"), await Data("plot-bottom"));
        var (from, to, left, right) = (await Data("from-ms"), await Data("to-ms"), await Data("plot-left"), await Data("plot-right"));
        double YOf(double value) => top + ((1 - ((value - low) / (high - low))) * (bottom - top));
        double XOf(double ms) => left + ((ms - from) / (to - from) * (right - left));

        Assert.That(Number(await level1.GetAttributeAsync("y1")), Is.EqualTo(YOf(25)).Within(0.5), "the level-1 line at 25 %LEL");
        Assert.That(Number(await level2.GetAttributeAsync("y1")), Is.EqualTo(YOf(50)).Within(0.5), "the level-2 line at 50 %LEL");
        Assert.That(Number(await raise.GetAttributeAsync("x1")), Is.EqualTo(XOf(now)).Within(0.5), "the raise mark at the raise time");
        var reading = chart.Locator("circle.reading[data-value='31.5']");
        var readingY = Number(await reading.GetAttributeAsync("cy"));
        Assert.That(readingY, Is.LessThan(Number(await level1.GetAttributeAsync("y1"))).And.GreaterThan(Number(await level2.GetAttributeAsync("y1"))),
            "the 31.5 %LEL reading is drawn between the two levels");
        Assert.That(Number(await reading.GetAttributeAsync("cx")), Is.EqualTo(Number(await raise.GetAttributeAsync("x1"))).Within(0.5),
            "the reading that raised the alert sits on the raise mark");
        await Assertions.Expect(page.Locator("#trend-note")).ToContainTextAsync("lel (%LEL) of md-trend, every stored reading");

        var trend = (await http.GetFromJsonAsync<AlertTrend>($"/api/alerts/{alert.Id}/trend", FeedCity.Json))!;
        Assert.That(trend.Series.Single().Values, Is.EqualTo(new[] { 8.0, 31.5 }));
        Assert.That(trend.Series.Single().Times, Is.EqualTo(new[] { now - 20_000, now }));
        Assert.That(trend.Resolution, Is.EqualTo("raw"));
        await ConsoleBrowser.ScreenshotAsync(page, "console-trend.png", "the methane alert's trend: the readings, the 25 and 50 %LEL levels and the raise mark");
        var detailShot = Path.Combine(ConsoleBrowser.ArtifactFolder(), "console-trend-detail.png");
        await page.Locator("#detail").ScreenshotAsync(new LocatorScreenshotOptions { Path = detailShot });
        TestContext.AddTestAttachment(detailShot, "the alert detail with its trend chart");
    }

    private static Task<IPage> OpenConsoleAsync(IBrowserContext context, string key, string? url = null) =>
        ConsoleBrowser.OpenConsoleAsync(context, url ?? FeedCity.City.FeedUrl, key);
}
