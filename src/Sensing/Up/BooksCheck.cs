using System.Net.Http.Json;
using Sensing.Core.Devices;
using Sensing.Feed;
using Sensing.Simulators.City;
using Sensing.Simulators.Publishing;

namespace Sensing.Up;

/// <summary>
/// The books of a fault run, balanced from records kept apart from the pipeline's own counters: the devices' ack logs
/// (every reading a gateway acknowledged, <see cref="AckLog"/>) against what <c>sensing.telemetry</c> holds; the alert
/// events of <c>sensing.alerts</c> against themselves (an alert raised twice) and against the feed's API after its
/// restart (its view rebuilt from the topic); and, in <see cref="Commands"/>, the commands of <c>sensing.commands</c>
/// against the devices' command logs (<see cref="CommandLog"/>).
/// </summary>
/// <param name="Acknowledged">Ack log entries (a reading delivered twice on purpose is acknowledged twice).</param>
/// <param name="AcknowledgedDistinct">Distinct (device, sequence) acknowledged.</param>
/// <param name="Lost">Acknowledged readings that are not in <c>sensing.telemetry</c> (goal 0).</param>
/// <param name="LostExamples">A few of them, as device/sequence.</param>
/// <param name="DuplicatedInKafka">Readings in the topic more than once.</param>
/// <param name="RaisedTwice">Alerts raised a second time under another id while the first was active (goal 0).</param>
/// <param name="RaisedTwiceExamples">A few of them: condition, source, the open alert's raise and clear and the second's raise.</param>
/// <param name="Republished">Alert ids whose raise event is in the topic more than once (a replay; same id, harmless).</param>
/// <param name="FeedMissing">Alerts active by <c>sensing.alerts</c> that the feed does not list as active (goal 0).</param>
/// <param name="FeedExtra">Alerts the feed lists as active that the topic has cleared or never raised (goal 0).</param>
/// <param name="FeedExamples">A few of the missing and extra ones, with their latest step on the topic.</param>
/// <param name="Reopened">Alerts given a raise or update after their clear, in event time (goal 0).</param>
/// <param name="ReopenedExamples">A few of them: condition, source, the id's raise and clear and the step after the clear.</param>
public sealed record BooksCheck(
    long Acknowledged, long AcknowledgedDistinct, long Lost, IReadOnlyList<string> LostExamples, long DuplicatedInKafka,
    int RaisedTwice, IReadOnlyList<string> RaisedTwiceExamples, int Republished, int FeedMissing, int FeedExtra,
    IReadOnlyList<string> FeedExamples, int Reopened, IReadOnlyList<string> ReopenedExamples)
{
    /// <summary>How long the feed's view may take to reach the watch's (both read the same topic), at most.</summary>
    public static readonly TimeSpan FeedCatchUp = TimeSpan.FromSeconds(60);

    /// <summary>The downlink's books: commands issued against what the devices received (null when not checked).</summary>
    public CommandBooks? Commands { get; init; }

    /// <summary>Every invariant holds (with <see cref="Commands"/>: no command lost, none acted on twice).</summary>
    public bool Balanced => Lost == 0 && RaisedTwice == 0 && Reopened == 0 && FeedMissing == 0 && FeedExtra == 0 && (Commands?.Balanced ?? true);

    /// <summary>
    /// Balances the books: <paramref name="ackLogs"/> (one file per simulator shard) against <paramref name="seen"/> (every
    /// (device number, sequence) in the topic, from <see cref="TelemetryAudit"/>), and the feed's active alerts against
    /// <paramref name="alerts"/>.
    /// </summary>
    public static async Task<BooksCheck> BalanceAsync(
        IEnumerable<string> ackLogs, CityModel city, DeviceRegistry registry, HashSet<long> seen, TelemetryAudit telemetry, AlertWatch alerts,
        string feedUrl, string feedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ackLogs);
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(alerts);

        // City index -> registry number, once.
        var numbers = new int[city.Devices.Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = registry.TryFind(city.Devices[i].Info.IdUtf8, out var number) ? number : -1;
        }

        long entries = 0, lost = 0;
        var acked = new HashSet<long>();
        var examples = new List<string>();
        foreach (var path in ackLogs)
        {
            foreach (var (index, sequence) in AckLog.Read(path))
            {
                entries++;
                var number = index >= 0 && index < numbers.Length ? numbers[index] : -1;
                var key = ((long)number << 32) | sequence;
                if (!acked.Add(key))
                {
                    continue;
                }

                if (number < 0 || !seen.Contains(key))
                {
                    lost++;
                    if (examples.Count < 5)
                    {
                        examples.Add($"{(index >= 0 && index < numbers.Length ? city.Devices[index].Info.Id : $"#{index}")}/{sequence}");
                    }
                }
            }
        }

        var twice = alerts.RaisedTwice();

        // The feed and the watch read sensing.alerts each at its own pace: compare once they agree, or at the deadline.
        var deadline = DateTime.UtcNow + FeedCatchUp;
        IReadOnlySet<string> active;
        HashSet<string> listed;
        while (true)
        {
            active = alerts.ActiveIds;
            listed = await FeedActiveAsync(feedUrl, feedKey, cancellationToken);
            if (listed.SetEquals(active) || DateTime.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var missing = active.Where(id => !listed.Contains(id)).ToList();
        var extra = listed.Where(id => !active.Contains(id)).ToList();
        var feedExamples = missing.Take(3).Select(id => "missing " + alerts.Describe(id))
            .Concat(extra.Take(3).Select(id => "extra " + alerts.Describe(id))).ToList();
        var reopened = alerts.Reopened;
        return new BooksCheck(entries, acked.Count, lost, examples, telemetry.DuplicateReadings,
            twice.Count, [.. twice.Take(5).Select(Describe)], alerts.RepublishedRaises,
            missing.Count, extra.Count, feedExamples, reopened.Count,
            [.. reopened.OrderBy(r => r.Value.EventTimeMs).ThenBy(r => r.Key, StringComparer.Ordinal).Take(5).Select(r => Describe(r.Key, r.Value))]);
    }

    private static string Time(long? ms) =>
        ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) : "open";

    private static string Describe((Simulators.Truth.AlertRecord Open, Simulators.Truth.AlertRecord Second) pair) =>
        $"{pair.Second.Condition} {pair.Second.Source}: {pair.Open.Id} raised {Time(pair.Open.RaisedAtMs)} cleared {Time(pair.Open.ClearedAtMs)}, {pair.Second.Id} raised {Time(pair.Second.RaisedAtMs)}";

    /// <summary>One reopened alert for the summary: condition, source, id, its raise and clear, then the step after the clear.</summary>
    private static string Describe(string id, ReopenedStep step) =>
        $"{step.Condition} {step.Source}: {id} raised {Time(step.RaisedAtMs)} cleared {Time(step.ClearedAtMs)}, {step.Type.ToString().ToLowerInvariant()} {Time(step.EventTimeMs)}";

    private static async Task<HashSet<string>> FeedActiveAsync(string feedUrl, string feedKey, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", feedKey);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += 10_000)
        {
            var page = await http.GetFromJsonAsync(
                $"{feedUrl}/api/alerts?state=active&limit=10000&offset={offset}",
                FeedJsonContext.Default.IReadOnlyListAlertSummary, cancellationToken) ?? [];
            foreach (var alert in page)
            {
                ids.Add(alert.Id);
            }

            if (page.Count < 10_000)
            {
                return ids;
            }
        }
    }
}
