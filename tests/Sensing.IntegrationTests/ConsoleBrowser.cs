using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Sensing.IntegrationTests;

/// <summary>
/// Debian's chromium driven by Playwright (the browser is never downloaded), for the tests that open the operator
/// console: the browser's launch, opening the console with a key, and where screenshots go.
/// </summary>
internal sealed partial class ConsoleBrowser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The headless chromium.</summary>
    public IBrowser Browser { get; }

    /// <summary>Launches headless chromium; fails the test when scripts/setup.sh has not installed it.</summary>
    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Fail($"{Chromium} is missing: run scripts/setup.sh (it installs Debian's chromium)");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
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
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>A fresh browser context (its own session storage, so its own key) at the console's 1600x1000 viewport.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });

    /// <summary>
    /// Opens the console at <paramref name="feedUrl"/> (no trailing slash), signs in with <paramref name="key"/> and
    /// waits until the live stream is connected and the list has been rendered once.
    /// </summary>
    public static async Task<IPage> OpenConsoleAsync(IBrowserContext context, string feedUrl, string key)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(feedUrl + "/");
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-rendered", Number(), new() { Timeout = 15_000 });
        return page;
    }

    /// <summary>Saves a full-page screenshot as <paramref name="name"/> in <see cref="ArtifactFolder"/>; returns its path.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string name)
    {
        var folder = ArtifactFolder();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Saves a full-page screenshot and attaches it to the current test's result.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, string description) =>
        TestContext.AddTestAttachment(await SaveScreenshotAsync(page, name), description);

    /// <summary>Where screenshots go: <c>$SENSING_ARTIFACTS</c> when set, else <c>artifacts/</c> in the test run's work directory.</summary>
    public static string ArtifactFolder() =>
        Environment.GetEnvironmentVariable("SENSING_ARTIFACTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Number();
}
