using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Feed;
using Sensing.IntegrationTests.Pipeline;
using Sensing.Kafka;

namespace Sensing.IntegrationTests.Feed;

/// <summary>
/// One city for every feed test: Kafka 0.9 + ZooKeeper and VictoriaMetrics from the local harness, gateway,
/// processor and feed (with an operator and a viewer key). Tests use their own sources, so they do not meet.
/// </summary>
[SetUpFixture]
public sealed class FeedCity
{
    public const string DevicePassword = "s3cret";

    private static PipelineFixture? _city;

    public static PipelineFixture City => _city ?? throw new InvalidOperationException("the feed city is not started");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _city = new PipelineFixture();
        var hash = DeviceRegistryFile.HashSecret(DevicePassword);
        await _city.StartAsync(
        [
            new DeviceInfo("md-console", DeviceKind.MethaneDetector, "d07", 30, hash),
            new DeviceInfo("md-trend", DeviceKind.MethaneDetector, "d07", 30, hash) { Latitude = 30.2741, Longitude = 120.1551 },
        ]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_city is not null)
        {
            await _city.DisposeAsync();
        }
    }

    /// <summary>An HTTP client for the feed sending <paramref name="key"/> (none when null).</summary>
    public static HttpClient Client(string? key, string? baseUrl = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl ?? City.FeedUrl), Timeout = TimeSpan.FromSeconds(20) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return http;
    }

    /// <summary>
    /// Writes a raise to <c>sensing.alerts</c> as the processor does (same record: key alert id, JSON value) and
    /// waits until the feed lists it. Returns the event.
    /// </summary>
    public static async Task<AlertEvent> RaiseAsync(string source, AlertSeverity severity = AlertSeverity.High, string district = "d09")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var alert = new AlertEvent
        {
            Id = AlertId.Create(source, AlertCondition.MethaneHigh, now),
            Type = AlertEventType.Raised,
            Source = source,
            Condition = AlertCondition.MethaneHigh.Name(),
            Severity = severity,
            District = district,
            DeviceKind = DeviceKind.MethaneDetector.Name(),
            RaisedAtMs = now,
            EventTimeMs = now,
            Value = 30,
            PeakValue = 30,
            Count = 1,
            Message = "methane 30 %LEL",
        };
        await PublishAsync(alert);
        using var http = Client(City.FeedKeys.ViewerKey);
        await PollAsync(async () => (await http.GetAsync($"/api/alerts/{alert.Id}")).IsSuccessStatusCode ? alert : null, TimeSpan.FromSeconds(30));
        return alert;
    }

    /// <summary>Produces one alert event to <c>sensing.alerts</c> and waits for the broker.</summary>
    public static async Task PublishAsync(AlertEvent alert)
    {
        using var producer = new RecordProducer(City.KafkaOptions, "it-feed");
        var outcome = await producer.ProduceAndWaitAsync(City.KafkaOptions.Topics.Alerts, Encoding.UTF8.GetBytes(alert.Id),
            JsonSerializer.SerializeToUtf8Bytes(alert, AlertJsonContext.Default.AlertEvent), CancellationToken.None);
        Assert.That(outcome.Persisted, Is.True, outcome.Error);
    }

    /// <summary>Produces every event to <c>sensing.alerts</c> through one producer and waits until the broker has them all.</summary>
    public static async Task PublishAllAsync(IReadOnlyList<AlertEvent> alerts)
    {
        using var producer = new RecordProducer(City.KafkaOptions, "it-feed");
        var deliveries = alerts.Select(a => producer.ProduceAndWaitAsync(City.KafkaOptions.Topics.Alerts, Encoding.UTF8.GetBytes(a.Id),
            JsonSerializer.SerializeToUtf8Bytes(a, AlertJsonContext.Default.AlertEvent), CancellationToken.None)).ToList();
        foreach (var outcome in await Task.WhenAll(deliveries))
        {
            Assert.That(outcome.Persisted, Is.True, outcome.Error);
        }
    }

    /// <summary>A raise of <paramref name="condition"/> at <paramref name="source"/> as the processor writes one (not published).</summary>
    public static AlertEvent Raise(string source, AlertCondition condition, AlertSeverity severity, string district, long raisedAtMs, string[]? devices = null) => new()
    {
        Id = AlertId.Create(source, condition, raisedAtMs),
        Type = AlertEventType.Raised,
        Source = source,
        Condition = condition.Name(),
        Severity = severity,
        District = district,
        RaisedAtMs = raisedAtMs,
        EventTimeMs = raisedAtMs,
        Value = devices?.Length ?? 1,
        PeakValue = devices?.Length ?? 1,
        Count = 1,
        Devices = devices,
        Message = $"{condition.Name()} at {source}",
    };

    /// <summary>Waits until the feed lists every alert of <paramref name="district"/> in <paramref name="count"/>.</summary>
    public static async Task WaitForDistrictAsync(string district, int count)
    {
        using var http = Client(City.FeedKeys.ViewerKey);
        var seen = await PollAsync(async () =>
        {
            using var response = await http.GetAsync($"/api/alerts?district={district}&limit=1");
            return response.Headers.TryGetValues("X-Total-Count", out var total) && int.Parse(total.Single(), System.Globalization.CultureInfo.InvariantCulture) >= count ? "" : null;
        }, TimeSpan.FromSeconds(30));
        Assert.That(seen, Is.Not.Null, $"the feed lists the {count} alerts of {district}");
    }

    /// <summary>Every record on <c>sensing.alerts</c> keyed by <paramref name="alertId"/>, read from the beginning.</summary>
    public static List<AlertEvent> EventsInKafka(string alertId)
    {
        using var consumer = new RecordConsumer(City.KafkaOptions, "it-feed-" + Guid.NewGuid().ToString("N"), "it-feed");
        consumer.Subscribe(City.KafkaOptions.Topics.Alerts);
        var key = Encoding.UTF8.GetBytes(alertId);
        var found = new List<AlertEvent>();
        var clock = Stopwatch.StartNew();
        var quietSince = TimeSpan.Zero;
        var any = false;

        // Read until the topic has been quiet for 2 s after the first record (the whole topic is small), at most 30 s.
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && (!any || clock.Elapsed - quietSince < TimeSpan.FromSeconds(2)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(250)) is { } record)
            {
                any = true;
                quietSince = clock.Elapsed;
                if (record.Key.AsSpan().SequenceEqual(key))
                {
                    found.Add(JsonSerializer.Deserialize(record.Value, AlertJsonContext.Default.AlertEvent)!);
                }
            }
        }

        return found;
    }

    /// <summary>The feed's detail of an alert (viewer key).</summary>
    public static async Task<AlertDetail> DetailAsync(string alertId, string? baseUrl = null)
    {
        using var http = Client(City.FeedKeys.ViewerKey, baseUrl);
        return (await http.GetFromJsonAsync<AlertDetail>($"/api/alerts/{alertId}", Json))!;
    }

    /// <summary>JSON options matching the feed's (camelCase, enums as strings).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static async Task<T?> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (value is not null || clock.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
