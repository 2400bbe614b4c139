using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Kafka;

namespace Sensing.Up;

/// <summary>Looks for a device's alert in the feed, on <c>sensing.alerts</c> and in the store.</summary>
public sealed class LeakVerifier(KafkaOptions kafka, string storeUrl, string feedUrl, string feedKey)
{
    /// <summary>Polls each place until the alert shows up or <paramref name="timeout"/> passes.</summary>
    public async Task<LeakCheck> VerifyAsync(string device, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", feedKey);
        var deadline = Stopwatch.StartNew();
        AlertEvent? fromFeed = null;
        while (fromFeed is null && deadline.Elapsed < timeout)
        {
            // Only the methane alerts: a city's list of every alert runs to several pages.
            var alerts = await http.GetFromJsonAsync($"{feedUrl}/api/alerts?state=all&condition=gas.methane-high&limit=1000", AlertJsonContext.Default.AlertEventArray, cancellationToken) ?? [];
            fromFeed = alerts.FirstOrDefault(a => a.Source == device);
            if (fromFeed is null)
            {
                await Task.Delay(500, cancellationToken);
            }
        }

        var id = fromFeed?.Id ?? "";
        var inKafka = id.Length > 0 && FindOnTopic(id, timeout - deadline.Elapsed);
        var inStore = id.Length > 0 && await FindInStoreAsync(http, device, id, cancellationToken);
        return new LeakCheck(device, id, fromFeed?.Severity.ToString() ?? "", inKafka, inStore, fromFeed is not null,
            fromFeed?.Type == AlertEventType.Cleared);
    }

    private bool FindOnTopic(string alertId, TimeSpan timeout)
    {
        using var consumer = new RecordConsumer(kafka, "sensing-up-verify-" + Guid.NewGuid().ToString("N"), "sensing-up");
        consumer.Subscribe(kafka.Topics.Alerts);
        var deadline = Stopwatch.StartNew();
        var key = System.Text.Encoding.UTF8.GetBytes(alertId);
        while (deadline.Elapsed < timeout + TimeSpan.FromSeconds(10))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record && record.Key.AsSpan().SequenceEqual(key))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> FindInStoreAsync(HttpClient http, string device, string alertId, CancellationToken cancellationToken)
    {
        // PromQL over the last hour: the alert's lifecycle events are stored as sensing_alert_value{...}.
        var query = Uri.EscapeDataString($"last_over_time(sensing_alert_value{{source=\"{device}\",alert_id=\"{alertId}\"}}[1h])");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var response = await http.GetAsync($"{storeUrl}/api/v1/query?query={query}", cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (body.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0)
            {
                return true;
            }

            // VictoriaMetrics makes freshly written points searchable within about a second.
            await Task.Delay(500, cancellationToken);
        }

        return false;
    }
}
