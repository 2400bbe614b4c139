using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Storage.Aggregation;

namespace Sensing.Up;

/// <summary>What the store holds for one metric of one device in one minute: its <c>_count</c> field.</summary>
/// <param name="Count">The count (the largest, when the minute was written more than once).</param>
/// <param name="Samples">Points the store holds for it: more than one when the minute was written again (a replay).</param>
public readonly record struct StoredCount(long Count, int Samples);

/// <summary>
/// The store's one-minute aggregates balanced against <c>sensing.telemetry</c>: every (device, minute) the store holds
/// or Kafka has readings for, the reading count of each metric (<c>sensing_agg_1m_&lt;metric&gt;_count</c>) against
/// the distinct readings in the topic (<see cref="TelemetryMinutes"/>). A minute the store does not hold and that the
/// store sink has not closed yet (it ends after <see cref="TelemetryMinutes.SealedUntilMs"/>: the run stopped in it,
/// or a device's clock put it ahead) is left out and counted as open. The run's first minute is not cut: the topic
/// holds every reading of the run from its first, as the store does.
/// </summary>
/// <param name="Minutes">Device minutes compared.</param>
/// <param name="Over">Minutes the store counts more readings in than the topic has (counted twice).</param>
/// <param name="Under">Minutes the store counts fewer readings in (readings missing), unstored ones included.</param>
/// <param name="OverReadings">Readings counted beyond the topic's, summed over the minutes over.</param>
/// <param name="UnderReadings">Readings short of the topic's, summed over the minutes under.</param>
/// <param name="Unstored">Readings in the topic in a closed minute the store holds nothing for.</param>
/// <param name="OpenMinutes">Minutes with readings in the topic the store sink has not closed yet (left out).</param>
/// <param name="OpenReadings">Readings in those minutes.</param>
/// <param name="Rewritten">Minutes the store holds more than one point for (written again, as by a replay).</param>
/// <param name="Examples">A few differing minutes: device, minute, store count, topic count.</param>
public sealed record StoreBooks(
    long Minutes, long Over, long Under, long OverReadings, long UnderReadings, long Unstored, long OpenMinutes, long OpenReadings,
    long Rewritten, IReadOnlyList<string> Examples)
{
    /// <summary>Every compared minute holds exactly the topic's readings.</summary>
    public bool Balanced => Over == 0 && Under == 0;

    /// <summary>
    /// Compares <paramref name="store"/> with <paramref name="kafka"/>, both per device, minute and metric. A minute's
    /// reading count is the largest of its metrics' counts; it is over (under) when any metric's count is above (below)
    /// the topic's. Minutes ending after <paramref name="sealedUntilMs"/> that the store lacks are open, not compared.
    /// </summary>
    public static StoreBooks Compare(
        IReadOnlyDictionary<MetricMinute, long> kafka, IReadOnlyDictionary<MetricMinute, StoredCount> store, long sealedUntilMs,
        Func<int, string> deviceName)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(deviceName);
        var minutes = new Dictionary<(int Device, long MinuteMs), Tally>();
        foreach (var (key, count) in kafka)
        {
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(minutes, (key.Device, key.MinuteMs), out _);
            tally.Kafka = Math.Max(tally.Kafka, count);
            var stored = store.TryGetValue(key, out var s) ? s.Count : 0;
            tally.Over |= stored > count;
            tally.Under |= stored < count;
        }

        foreach (var (key, stored) in store)
        {
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(minutes, (key.Device, key.MinuteMs), out _);
            tally.InStore = true;
            tally.Store = Math.Max(tally.Store, stored.Count);
            tally.Rewritten |= stored.Samples > 1;
            tally.Over |= !kafka.ContainsKey(key) && stored.Count > 0;
        }

        long compared = 0, over = 0, under = 0, overReadings = 0, underReadings = 0, unstored = 0, open = 0, openReadings = 0, rewritten = 0;
        var examples = new List<string>();
        foreach (var ((device, minute), tally) in minutes.OrderBy(m => m.Key.MinuteMs).ThenBy(m => m.Key.Device))
        {
            if (!tally.InStore && minute + MinuteAggregator.MinuteMs > sealedUntilMs)
            {
                open++;
                openReadings += tally.Kafka;
                continue;
            }

            compared++;
            rewritten += tally.Rewritten ? 1 : 0;
            unstored += tally.InStore ? 0 : tally.Kafka;
            if (tally.Over)
            {
                over++;
                overReadings += Math.Max(0, tally.Store - tally.Kafka);
            }

            if (tally.Under)
            {
                under++;
                underReadings += Math.Max(0, tally.Kafka - tally.Store);
            }

            if ((tally.Over || tally.Under) && examples.Count < 5)
            {
                examples.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{deviceName(device)} {DateTimeOffset.FromUnixTimeMilliseconds(minute):HH:mm}Z store {tally.Store} kafka {tally.Kafka}"));
            }
        }

        return new StoreBooks(compared, over, under, overReadings, underReadings, unstored, open, openReadings, rewritten, examples);
    }

    /// <summary>
    /// Reads every <c>sensing_agg_1m_&lt;metric&gt;_count</c> point in [<paramref name="fromMs"/>, <paramref name="toMs"/>]
    /// from VictoriaMetrics' <c>/api/v1/export</c> (the raw points, each write of a minute its own), per device, minute
    /// and metric.
    /// </summary>
    public static async Task<Dictionary<MetricMinute, StoredCount>> ReadStoreAsync(
        string storeUrl, DeviceRegistry registry, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storeUrl);
        ArgumentNullException.ThrowIfNull(registry);
        const string Prefix = "sensing_agg_1m_", Suffix = "_count";
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var url = string.Create(CultureInfo.InvariantCulture,
            $"{storeUrl.TrimEnd('/')}/api/v1/export?match[]={Uri.EscapeDataString("{__name__=~\"" + Prefix + ".+" + Suffix + "\"}")}&start={fromMs / 1000}&end={(toMs / 1000) + 1}");
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var counts = new Dictionary<MetricMinute, StoredCount>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var series = JsonDocument.Parse(line);
            var labels = series.RootElement.GetProperty("metric");
            var name = labels.GetProperty("__name__").GetString()!;
            if (!Metrics.TryParse(Encoding.ASCII.GetBytes(name[Prefix.Length..^Suffix.Length]), out var metric))
            {
                continue;
            }

            var device = labels.TryGetProperty("device", out var id) && registry.TryFind(Encoding.UTF8.GetBytes(id.GetString()!), out var number) ? number : -1;
            var values = series.RootElement.GetProperty("values");
            var times = series.RootElement.GetProperty("timestamps");
            for (var i = 0; i < Math.Min(values.GetArrayLength(), times.GetArrayLength()); i++)
            {
                var key = new MetricMinute(device, times[i].GetInt64(), metric);
                var count = (long)values[i].GetDouble();
                counts[key] = counts.TryGetValue(key, out var before)
                    ? new StoredCount(Math.Max(before.Count, count), before.Samples + 1)
                    : new StoredCount(count, 1);
            }
        }

        return counts;
    }

    private struct Tally
    {
        public long Kafka;
        public long Store;
        public bool InStore;
        public bool Over;
        public bool Under;
        public bool Rewritten;
    }
}
