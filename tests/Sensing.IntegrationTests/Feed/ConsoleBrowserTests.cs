using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Sensing.Core.Alerts;
using Sensing.Feed;
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
    private const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [OneTimeSetUp]
    public async Task StartBrowserAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Fail($"{Chromium} is missing: run scripts/setup.sh (it installs Debian's chromium)");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    [OneTimeTearDown]
    public async Task StopBrowserAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    [Test]
    public async Task Console_MethaneReadingPublished_AlertAppearsLiveAndOperatorAcknowledges()
    {
        var city = FeedCity.City;
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
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

        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var screenshot = Path.Combine(folder, "operator-console.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "operator console after the acknowledgement");
        Assert.That(consoleErrors, Is.Empty, "no script errors in the page");
    }

    [Test]
    public async Task Console_SelectedAlert_ShowsItsResponseText()
    {
        var city = FeedCity.City;
        var alert = await FeedCity.RaiseAsync("md-console-response", AlertSeverity.Critical, "d13");
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
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

        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var screenshot = Path.Combine(folder, "operator-console-response.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "the selected alert's response text");
    }

    [Test]
    public async Task Console_ViewerKey_ActionsDisabled()
    {
        var city = FeedCity.City;
        var alert = await FeedCity.RaiseAsync("md-console-viewer", district: "d08");
        await using var context = await _browser!.NewContextAsync();
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
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
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
        await Screenshot(page, "console-critical-sounding.png", "a new Critical alert sounding: banner and row flash; the alarm load counts it");
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
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
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
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
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
        await Screenshot(page, "console-paged.png", "the list paged and filtered by the feed");
    }

    private static async Task Screenshot(IPage page, string name, string description)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, description);
    }

    private static async Task<IPage> OpenConsoleAsync(IBrowserContext context, string key)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(FeedCity.City.FeedUrl + "/");
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-rendered", new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 15_000 });
        return page;
    }
}
