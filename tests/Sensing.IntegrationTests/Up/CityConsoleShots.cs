using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Sensing.IntegrationTests.Up;

/// <summary>A moment of a <c>sensing up</c> run at which the console is photographed: the first line it prints that <see cref="IsNow"/> accepts.</summary>
/// <param name="Name">File name of the screenshot, without <c>.png</c>.</param>
/// <param name="Description">What the screenshot shows, for the test's attachment.</param>
/// <param name="IsNow">Whether a line of <c>sensing up</c> marks the moment.</param>
internal sealed partial record ConsoleMoment(string Name, string Description, Func<string, bool> IsNow)
{
    /// <summary>The first progress line, while the city publishes, that counts an alert event.</summary>
    public static ConsoleMoment FirstAlerts(string name, string description) =>
        new(name, description, line => Progress(line) is { Events: > 0 });

    /// <summary>The first progress line at most <paramref name="seconds"/> before the devices stop publishing.</summary>
    public static ConsoleMoment BeforeTheEnd(int seconds, string name, string description) =>
        new(name, description, line => Progress(line) is { } p && p.AtSeconds >= p.OfSeconds - seconds);

    /// <summary>The first line that holds <paramref name="text"/>.</summary>
    public static ConsoleMoment AfterLine(string text, string name, string description) =>
        new(name, description, line => line.Contains(text, StringComparison.Ordinal));

    // CityRun's progress line while the city publishes: "01:42 95 s/240 s  connected 20,000 ... alert events 12 ...".
    private static (int AtSeconds, int OfSeconds, long Events)? Progress(string line) =>
        ProgressLine().Match(line) is { Success: true } m
            ? (int.Parse(m.Groups["at"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["of"].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups["events"].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))
            : null;

    [GeneratedRegex(@" (?<at>[0-9]+) s/(?<of>[0-9]+) s .* alert events (?<events>[0-9,]+)")]
    private static partial Regex ProgressLine();
}

/// <summary>What the console showed at a moment, read from the page just before its screenshot was saved.</summary>
internal sealed record ConsoleShot(ConsoleMoment Moment, string? Path, int Rows, int Listed, int Districts, int ColouredDistricts, string Zone, string? Failure)
{
    /// <summary>
    /// Attaches the screenshot to the current test and asserts a populated console: alerts in the list, the map drawn
    /// with every district and the districts of active alerts coloured, the city's time zone in the header.
    /// </summary>
    public void AttachAndAssertPopulated(int districts, string zone)
    {
        if (Path is not null)
        {
            TestContext.AddTestAttachment(Path, Moment.Description);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Failure, Is.Null, $"{Moment.Name}: the console did not show what it must");
            Assert.That(Path is not null && new FileInfo(Path).Length > 20_000, Is.True, $"{Moment.Name}: a full-page screenshot was saved");
            Assert.That(Rows, Is.GreaterThanOrEqualTo(1), $"{Moment.Name}: the list shows alerts");
            Assert.That(Listed, Is.GreaterThanOrEqualTo(Rows), $"{Moment.Name}: the list's count covers its rows");
            Assert.That(Districts, Is.EqualTo(districts), $"{Moment.Name}: the map draws every district of the city");
            Assert.That(ColouredDistricts, Is.InRange(1, districts), $"{Moment.Name}: the map colours the districts of active alerts");
            Assert.That(Zone, Is.EqualTo(zone), $"{Moment.Name}: the header names the city's time zone");
        });
    }
}

/// <summary>
/// Screenshots of the operator console while <c>sensing up</c> runs. Given every line the command prints, it learns
/// the console's address and viewer key from its "operator console: URL/ (viewer key KEY)" line; at each moment it
/// opens the console in chromium (one page at a time), waits until the list shows alerts and the map colours their
/// districts, reads what the page shows and saves a full-page screenshot (list and map) to the artifact folder.
/// </summary>
internal sealed partial class CityConsoleShots(params ConsoleMoment[] moments) : IAsyncDisposable
{
    // How long the page may take to show alerts and coloured districts: the live stream and the map follow within
    // seconds, on a machine the city keeps busy.
    private const int ShowsWithinMs = 30_000;

    private readonly Lock _gate = new();
    private readonly List<ConsoleMoment> _waiting = [.. moments];
    private readonly List<Task<ConsoleShot>> _taken = [];
    private readonly SemaphoreSlim _onePage = new(1, 1);
    private (string Url, string Key)? _console;
    private ConsoleBrowser? _browser;

    /// <summary>Given each line <c>sensing up</c> prints; starts the screenshot of every moment the line marks.</summary>
    public void OnLine(string line)
    {
        lock (_gate)
        {
            if (ConsoleLine().Match(line) is { Success: true } m)
            {
                _console = (m.Groups["url"].Value, m.Groups["key"].Value);
            }

            if (_console is not { } console)
            {
                return;
            }

            foreach (var moment in _waiting.Where(w => w.IsNow(line)).ToList())
            {
                _waiting.Remove(moment);
                _taken.Add(Task.Run(() => TakeAsync(moment, console.Url, console.Key)));
            }
        }
    }

    /// <summary>Every screenshot started, once taken; a moment that never came has none.</summary>
    public async Task<ConsoleShot[]> ShotsAsync()
    {
        Task<ConsoleShot>[] taken;
        lock (_gate)
        {
            taken = [.. _taken];
        }

        return await Task.WhenAll(taken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _onePage.Dispose();
    }

    private async Task<ConsoleShot> TakeAsync(ConsoleMoment moment, string url, string key)
    {
        await _onePage.WaitAsync();
        try
        {
            _browser ??= await ConsoleBrowser.LaunchAsync();
            await using var context = await _browser.NewContextAsync();
            string? failure = null;
            IPage? page = null;
            try
            {
                page = await ConsoleBrowser.OpenConsoleAsync(context, url, key);
                await Assertions.Expect(page.Locator("#alert-rows tr").First).ToBeVisibleAsync(new() { Timeout = ShowsWithinMs });
                await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-map", PositiveNumber(), new() { Timeout = ShowsWithinMs });
                await Assertions.Expect(ColouredDistricts(page).First).ToBeVisibleAsync(new() { Timeout = ShowsWithinMs });
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                failure = e.Message;
            }

            if (page is null)
            {
                return new ConsoleShot(moment, null, 0, 0, 0, 0, "", failure);
            }

            var body = page.Locator("body");
            var shot = new ConsoleShot(moment, null, await page.Locator("#alert-rows tr").CountAsync(), Number(await body.GetAttributeAsync("data-rendered")),
                Number(await body.GetAttributeAsync("data-map")), await ColouredDistricts(page).CountAsync(),
                await page.Locator("#time-zone").TextContentAsync() ?? "", failure);
            var path = await ConsoleBrowser.SaveScreenshotAsync(page, moment.Name + ".png");
            TestContext.Progress.WriteLine($"console at {moment.Name}: {shot.Rows} rows of {shot.Listed}, {shot.ColouredDistricts} of {shot.Districts} districts coloured, " +
                $"{shot.Zone}; {path}{(failure is null ? "" : "; " + failure)}");
            return shot with { Path = path };
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return new ConsoleShot(moment, null, 0, 0, 0, 0, "", e.Message);
        }
        finally
        {
            _onePage.Release();
        }
    }

    // A district's box is filled with its worst active severity, or marked data-worst="none" (map.js).
    private static ILocator ColouredDistricts(IPage page) => page.Locator("#city-map g.district rect:not([data-worst='none'])");

    private static int Number(string? text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    // CityRun: "operator console: http://127.0.0.1:PORT/ (viewer key KEY)".
    [GeneratedRegex(@"operator console: (?<url>http://[^\s/]+)/ \(viewer key (?<key>[^)\s]+)\)")]
    private static partial Regex ConsoleLine();

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex PositiveNumber();
}
