using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenTelemetry.Metrics;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.IntegrationTests.Conformance;
using Sensing.IntegrationTests.Pipeline;
using Sensing.Kafka;
using Sensing.Storage;
using Sensing.Storage.Telemetry;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// Runs a short simulated city through the real pipeline (Kafka 0.9, gateway, processor, VictoriaMetrics), then
/// replays every query of every provisioned dashboard the way Grafana's Prometheus data source sends it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardReplayTests
{
    // Alerts the city leaves active: condition and district.
    private static readonly string[] ActiveAlertGroups =
    [
        "gas.methane-high d02", "water.low-pressure d03", "water.heavy-rain d03", "water.reservoir-level d01", "water.reservoir-level d02",
        "water.reservoir-level d03", "charger.safety-error d03",
    ];

    // The fire-safety alerts the city leaves active: condition, district and severity.
    private static readonly string[] FireAlerts =
    [
        "fire.smoke-alarm d03 Critical", "fire.residual-current d02 High", "fire.water-pressure-low d03 High",
    ];

    private readonly PipelineFixture _city = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stopHeartbeat = new();
    private Task _heartbeat = Task.CompletedTask;
    private PrometheusHttpApi _store = null!;
    private MeterProvider? _metrics;
    private MeterProvider? _gatewayMetrics;
    private DateTimeOffset _now;

    [OneTimeSetUp]
    public async Task RunCity()
    {
        var city = new ChartCity(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000);
        await _city.StartAsync(city.Registry);
        _store = new PrometheusHttpApi(_http, _city.Store.BaseUrl);
        // The pipeline's own metrics, exported to the store as `sensing processor` and `sensing gateway` do (every second here).
        _metrics = PipelineMetrics.Start(StoreWriterOptions.Default with { Url = _city.Store.BaseUrl }, "processor", interval: TimeSpan.FromSeconds(1));
        _gatewayMetrics = PipelineMetrics.Start(new PipelineMetricsOptions
        {
            Store = StoreWriterOptions.Default with { Url = _city.Store.BaseUrl },
            Service = "gateway",
            Interval = TimeSpan.FromSeconds(1),
            SharedInstruments = false,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await city.PublishAsync(_city.GatewayEndPoint, timeout.Token);
        await PublishDeadLettersAsync(city, timeout.Token);
        _heartbeat = city.RunHeartbeatAsync(_city.GatewayEndPoint, _stopHeartbeat.Token);

        // Each wait is for its condition itself, with a deadline of its own that a cold machine does not reach: a wait
        // that ran out of time fails here, naming what was missing, instead of leaving a panel empty for a test below.
        var stored = 0.0;
        var cleared = 0.0;
        var active = 0.0;
        await WaitForAsync("every published field value stored, the d01 leak's alert cleared, the active-alert gauge written", async () =>
        {
            // The gateway adds the connection state (online) of each device; the rest is what the devices published.
            stored = await ScalarAsync($"sum(count_over_time({{__name__=~\"sensing_reading_.+\", __name__!=\"sensing_reading_online\", device!=\"{city.Heartbeat.Id}\"}}[1h]))");
            cleared = await ScalarAsync("count(last_over_time(sensing_alert_value{event=\"cleared\"}[1h]))");
            active = await ScalarAsync("count(sensing_alerts_active_value > 0)");
            return stored >= city.FieldValues && cleared >= 1 && active >= ActiveAlertGroups.Length + FireAlerts.Length;
        });

        Assert.That(stored, Is.EqualTo(city.FieldValues), "every published field value should be stored");
        Assert.That(cleared, Is.GreaterThanOrEqualTo(1), "the d01 methane alert should have cleared");
        // The processors write the gauge every 10 s; wait for three points of it (as on a running city), so a range
        // query whose last step the store aligns before the newest point still sees it.
        await WaitForAsync("three points of the active-alert gauge", async () =>
            await ScalarAsync("min(count_over_time(sensing_alerts_active_value{condition=\"gas.methane-high\", district=\"d02\"}[5m]))") >= 3);

        // The pipeline panels: both dead letters counted, the lag measured, an acknowledgement latency exported.
        await WaitForAsync("the gateway's dead letter exported", async () => await ScalarAsync("sum(sensing_gateway_deadletters_total)") >= 1);
        await WaitForAsync("the processor's dead letter exported", async () =>
            await ScalarAsync("sum(sensing_processor_deadletters_total{reason=\"UnregisteredDevice\"})") >= 1);
        await WaitForAsync("the gateway's acknowledgement latency exported", async () => await ScalarAsync("count(sensing_gateway_ack_latency_p99)") >= 1);

        // Grafana's "now" is when the analyst opens the dashboard: after the city ran, and once the lag panel, whose
        // series starts only when the processor has fetched its partitions, has a point at one of its range steps (a
        // series younger than one step falls between them).
        await WaitForAsync("the consumer lag panel showing the processor's partitions", async () =>
        {
            _now = DateTimeOffset.UtcNow;
            return (await PanelAsync("Sensing: Pipeline health", "Kafka consumer lag by partition")).Count > 0;
        });
        var events = await _store.SeriesAsync("last_over_time(sensing_alert_value[1h])", _now, _now, null);
        Assert.That(active, Is.GreaterThanOrEqualTo(ActiveAlertGroups.Length + FireAlerts.Length), "the alerts that stay active should be in sensing_alerts_active; alert events stored: "
            + string.Join("; ", events.Select(e => $"{e["condition"]} {e["district"]} {e["event"]} {e["severity"]}")));
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        _metrics?.Dispose();
        _gatewayMetrics?.Dispose();
        await _stopHeartbeat.CancelAsync();
        await _heartbeat;
        _stopHeartbeat.Dispose();
        _http.Dispose();
        await _city.DisposeAsync();
    }

    [Test]
    public void Dashboards_EveryOneOfTheIssue_AreProvisioned()
    {
        var titles = GrafanaDashboard.LoadFolder(RepositoryPaths.DashboardsFolder).Select(d => d.Title).ToArray();
        Assert.That(titles, Is.SupersetOf(new[]
        {
            "Sensing: City overview", "Sensing: Gas", "Sensing: Water", "Sensing: Reservoirs and rain", "Sensing: Chargers", "Sensing: Fire safety",
            "Sensing: Pipeline health",
        }));
    }

    [Test]
    public void Dashboards_EveryPanelAndVariable_UsesAProvisionedDataSourceAndTheDistrictAndKindVariables()
    {
        var uids = ChartFiles.ProvisionedDataSourceUids();
        foreach (var file in Directory.GetFiles(RepositoryPaths.DashboardsFolder, "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var used = new List<string>();
            Collect(document.RootElement, used);
            Assert.That(used, Is.Not.Empty.And.All.AnyOf(uids.ToArray()), file);
            var variables = document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Select(v => v.GetProperty("name").GetString()).ToArray();
            Assert.That(variables, Is.SupersetOf(new[] { "district", "kind" }), file);
        }
    }

    [Test]
    public async Task Dashboards_EveryQueryReplayedAgainstTheStore_ValidReturnsDataAndNamesOnlyWrittenMetrics()
    {
        var dashboards = GrafanaDashboard.LoadFolder(RepositoryPaths.DashboardsFolder);
        var scrape = ChartFiles.PrometheusScrapeInterval();
        var failures = new List<string>();
        var queries = 0;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dashboard in dashboards)
        {
            var replay = new DashboardReplay(_store, Relative(dashboard.DefaultFrom), _now, scrape);
            await replay.ReplayAsync(dashboard);
            failures.AddRange(replay.Failures);
            queries += replay.QueriesSent;
            names.UnionWith(replay.NamesChecked);
        }

        TestContext.Progress.WriteLine($"replayed {dashboards.Count} dashboards: {queries} queries; metric names read: {string.Join(", ", names)}");
        Assert.That(dashboards.Sum(d => d.Queries.Count), Is.GreaterThan(20), "the dashboards should hold their panels");
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures));
    }

    [Test]
    public async Task Dashboards_KeyPanels_ShowWhatTheCityDid()
    {
        var gasValves = await PanelAsync("Sensing: Gas", "Valves closed by district");
        Assert.That(gasValves.Single(s => s["district"] == "d03").Last, Is.EqualTo(1), "the d03 meter reports its valve closed");
        Assert.That(gasValves.Single(s => s["district"] == "d01").Last, Is.Zero);

        var methane = await PanelAsync("Sensing: Gas", "Methane %LEL by district (highest detector)");
        Assert.That(methane.Single(s => s["district"] == "d01").Max, Is.EqualTo(62.0), "the d01 leak peaked at 62 %LEL");

        var compliance = await PanelAsync("Sensing: Water", "Pressure compliance by district (% of time at or above 0.14 MPa)");
        Assert.That(compliance.Single(s => s["district"] == "d01").Last, Is.EqualTo(100));
        Assert.That(compliance.Single(s => s["district"] == "d03").Last, Is.InRange(10.0, 50.0), "d03 sagged to 0.12 MPa for six of its eight minutes");

        var status = await PanelAsync("Sensing: Chargers", "Connectors by status");
        Assert.That(status.ToDictionary(s => s["status"], s => s.Last), Is.EquivalentTo(new Dictionary<string, double> { ["0"] = 1, ["2"] = 1, ["8"] = 1 }));

        var active = await PanelAsync("Sensing: City overview", "Active alerts by district and severity");
        // d01: the leak escalated to Critical and cleared, the reservoir is in its blue band (Low); d02: the leak and the
        // leaking circuit (High) and the reservoir above its flood limit (Medium); d03: the smoke alarm (Critical), the
        // charger's ground failure and the hydrant main (High), low pressure, heavy rain and the reservoir (Medium).
        Assert.That(active.Select(s => $"{s["district"]} {s["severity"]} {s.Last}"),
            Is.EquivalentTo(new[] { "d01 Low 1", "d02 High 2", "d02 Medium 1", "d03 Critical 1", "d03 High 2", "d03 Medium 3" }));
        var water = await PanelAsync("Sensing: Water", "Water alerts now: low pressure, bursts, night-flow rise");
        var reservoirs = await PanelAsync("Sensing: Reservoirs and rain", "Reservoir and heavy-rain alerts now");
        var chargers = await PanelAsync("Sensing: Chargers", "Charger alerts now: safety errors, out of service");
        Assert.That(water.Concat(reservoirs).Concat(chargers).Concat(await PanelAsync("Sensing: Gas", "Gas suspects now: micro-leak, rupture, methane, tamper"))
            .Select(s => $"{s["condition"]} {s["district"]}"), Is.EquivalentTo(ActiveAlertGroups));

        var rain = await PanelAsync("Sensing: Reservoirs and rain", "Rain in the last 24 h by gauge (mm)");
        Assert.That(rain.Single(s => s["device"] == "rg-d03").Last, Is.EqualTo(ChartCity.ReadingsPerDevice * 1.5).Within(1e-9));
    }

    [Test]
    public async Task Dashboards_FirePanels_ShowTheFireIncidents()
    {
        const string fire = "Sensing: Fire safety";
        var now = await PanelAsync(fire, "Fire alerts now: smoke alarms, circuits, fire water");
        Assert.That(now.Select(s => $"{s["condition"]} {s["district"]} {s["severity"]}"), Is.EquivalentTo(FireAlerts));

        var inAlarm = await PanelAsync(fire, "Smoke alarms in alarm by district");
        Assert.That(inAlarm.ToDictionary(s => s["district"], s => s.Last), Is.EquivalentTo(new Dictionary<string, double> { ["d01"] = 0, ["d02"] = 0, ["d03"] = 1 }));
        var cannotWarn = await PanelAsync(fire, "Smoke alarms that cannot warn by district");
        Assert.That(cannotWarn.Select(s => s.Last), Is.All.Zero, "no fault, low-battery or removed bit");

        var residual = await PanelAsync(fire, "Residual current by district (highest circuit, mA)");
        Assert.That(residual.Single(s => s["district"] == "d02").Max, Is.EqualTo(340), "d02's circuit leaked 340 mA");
        Assert.That(residual.Single(s => s["district"] == "d01").Max, Is.EqualTo(60));
        var temperature = await PanelAsync(fire, "Circuit temperature by district (hottest circuit, C)");
        Assert.That(temperature.ToDictionary(s => s["district"], s => s.Max), Is.EquivalentTo(new Dictionary<string, double> { ["d01"] = 30, ["d02"] = 31, ["d03"] = 32 }));

        var pressure = await PanelAsync(fire, "Fire water pressure by district (lowest sensor, MPa)");
        Assert.That(pressure.Single(s => s["district"] == "d03").Min, Is.EqualTo(0.05).Within(1e-9), "d03's hydrant main fell to 0.05 MPa");
        Assert.That(pressure.Single(s => s["district"] == "d01").Min, Is.EqualTo(0.35).Within(1e-9));

        var raised = await PanelAsync(fire, "Fire alerts raised over the range by condition");
        Assert.That(raised.ToDictionary(s => s["condition"], s => s.Last), Is.EquivalentTo(new Dictionary<string, double>
        {
            ["fire.smoke-alarm"] = 1, ["fire.residual-current"] = 1, ["fire.water-pressure-low"] = 1,
        }));

        var battery = await PanelAsync(fire, "Lowest smoke alarm battery by district (V)");
        Assert.That(battery.Single(s => s["district"] == "d03").Last, Is.EqualTo(3.4).Within(1e-9));
    }

    [Test]
    public async Task Dashboards_PipelinePanels_ShowDeadLettersLagStoreErrorsAndLatencies()
    {
        const string pipeline = "Sensing: Pipeline health";
        var letters = (await PanelAsync(pipeline, "Dead letters since each part started, by reason", "A"))
            .Concat(await PanelAsync(pipeline, "Dead letters since each part started, by reason", "B"));
        Assert.That(letters.Select(s => $"{s["service"]} {s["reason"]} {s.Last}"), Is.EquivalentTo(new[]
        {
            "gateway MalformedJson 1", "processor BadFrame 0", "processor UnregisteredDevice 1",
        }), "the one payload that is not JSON, the one frame of a device not in the registry; the processor's reasons from 0");

        var lag = await PanelAsync(pipeline, "Kafka consumer lag by partition");
        Assert.That(lag, Is.Not.Empty, "the processor measures the lag of the partitions it read");
        Assert.That(lag.Select(s => s.Last), Is.All.InRange(0.0, 10.0), "a processor keeping up with one reading a second is at most a few records behind");

        // Both series are there although the store took every batch of this run: exported from the start. (Their
        // values are the process's totals, which other tests in the same run may have raised.)
        var errors = await PanelAsync(pipeline, "Store write errors per second");
        Assert.That(errors.Select(s => $"{s["service"]} transient={s["transient"]}"), Is.EquivalentTo(new[]
        {
            "processor transient=false", "processor transient=true",
        }));

        var acks = await PanelAsync(pipeline, "Gateway acknowledgement latency", "B");
        Assert.That(acks.Single().Last, Is.GreaterThan(0).And.LessThan(30_000), "p99 from PUBLISH to PUBACK, through Kafka");

        var records = await PanelAsync(pipeline, "Connection records per interval by kind");
        Assert.That(records.Select(s => s["kind"]), Is.EquivalentTo(new[] { "rain-gauge" }),
            "the rain gauge's will and its return; the devices that connected, published and disconnected wrote none");
        Assert.That(records.Single().Max, Is.InRange(1.0, 2.0), "two records, in one interval or two");

        var connected = await PanelAsync("Sensing: City overview", "Devices connected now by kind");
        var expected = DeviceKinds.All.ToArray().ToDictionary(k => k.Name(), k => k == DeviceKind.MethaneDetector ? 1.0 : 0.0);
        Assert.That(connected.ToDictionary(s => s["kind"], s => s.Last), Is.EquivalentTo(expected),
            "only the heartbeat detector stays connected; every kind is exported, from 0");
    }

    [Test]
    public async Task Replay_DashboardNamingAMetricNeverWritten_Fails()
    {
        const string json = """
            {
              "uid": "probe", "title": "Probe", "time": { "from": "now-1h", "to": "now" },
              "templating": { "list": [] },
              "panels": [
                { "type": "timeseries", "title": "lel", "targets": [ { "refId": "A", "expr": "max(sensing_reading_lel)" } ] },
                { "type": "timeseries", "title": "viscosity", "targets": [ { "refId": "A", "expr": "max(sensing_reading_viscosity)" } ] },
                { "type": "stat", "title": "broken", "targets": [ { "refId": "A", "expr": "sum(rate(sensing_reading_lel[$__rate_interval])", "instant": true } ] }
              ]
            }
            """;
        var replay = new DashboardReplay(_store, _now.AddHours(-1), _now, TimeSpan.FromSeconds(10));
        await replay.ReplayAsync(GrafanaDashboard.Parse("probe.json", json));

        Assert.That(replay.Failures, Has.Some.Contains("names 'sensing_reading_viscosity'"));
        Assert.That(replay.Failures, Has.Some.Contains("Probe / broken / A").And.Some.Contains("invalid"));
        Assert.That(replay.Failures, Has.None.Contains("Probe / lel / A"), "a written metric with data passes");
    }

    // The first query of a panel, with every variable at "All", as Grafana sends it over the dashboard's default range.
    private async Task<IReadOnlyList<SeriesValues>> PanelAsync(string dashboardTitle, string panelTitle, string? refId = null)
    {
        var dashboard = GrafanaDashboard.LoadFolder(RepositoryPaths.DashboardsFolder).Single(d => d.Title == dashboardTitle);
        var query = dashboard.Queries.First(q => q.Panel == panelTitle && (refId is null || q.RefId == refId));
        var from = Relative(dashboard.DefaultFrom);
        var template = new GrafanaTemplate(from, _now, ChartFiles.PrometheusScrapeInterval(), dashboard.Variables,
            dashboard.Variables.ToDictionary(v => v.Name, _ => VariableSelection.AllValues));
        return await _store.SeriesAsync(template.Expand(query), from, _now, query.Instant ? null : template.Interval(query));
    }

    // A device whose connection drops without DISCONNECT (the gateway writes its will: online=0) and that comes back
    // (online=1) with a payload the gateway cannot decode; and a telemetry record of a device the registry does not
    // hold (as a gateway with a newer registry would write). Each dead letter is counted by its part.
    private async Task PublishDeadLettersAsync(ChartCity city, CancellationToken cancellationToken)
    {
        var device = city.Devices.First(d => d.Kind == DeviceKind.RainGauge && d.District == "d01");
        await using (var dropped = PeerClient.Mosquitto("mosquitto_sub", _city.GatewayEndPoint,
            "-i", device.Id, "-u", device.Id, "-P", ChartCity.Password, "-t", $"sensing/{device.Id}/down"))
        {
            Assert.That(await GatewayFixture.EventuallyAsync(() => _city.GatewayCounters.ConnectionsOf(DeviceKind.RainGauge) == 1), Is.True,
                "mosquitto_sub should connect: " + dropped.Output);
        }

        var clock = Stopwatch.StartNew();
        while (await ScalarAsync($"count_over_time(sensing_reading_online{{device=\"{device.Id}\"}}[1h])") < 1 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
        }

        await ChartCity.PublishMalformedAsync(device, _city.GatewayEndPoint, cancellationToken);
        using var producer = new RecordProducer(_city.KafkaOptions, "it-stray");
        var frame = new byte[TelemetryFrame.MaxLength];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var length = TelemetryFrame.Write(frame, "md-stray"u8, DeviceKind.MethaneDetector, now, now, 1, TraceContext.None, [new MetricValue(Sensing.Core.Telemetry.Metric.MethaneLel, 0.5)]);
        var outcome = await producer.ProduceAndWaitAsync(_city.KafkaOptions.Topics.Telemetry, "md-stray"u8.ToArray(), frame[..length], cancellationToken);
        Assert.That(outcome.Persisted, Is.True, "the stray record should be in Kafka");
    }

    // Polls the condition every half second until it holds; fails the fixture naming it when it has not held within three
    // minutes (what the city needs here is seconds; the deadline is for a cold, loaded machine).
    private static async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                Assert.Fail($"not seen within {clock.Elapsed.TotalSeconds:F0} s: {what}");
            }

            await Task.Delay(500);
        }
    }

    private DateTimeOffset Relative(string grafanaTime) =>
        grafanaTime == "now" ? _now : _now - GrafanaTemplate.ParseDuration(grafanaTime["now-".Length..]);

    private async Task<double> ScalarAsync(string query)
    {
        using var body = JsonDocument.Parse(await _http.GetStringAsync($"{_city.Store.BaseUrl}/api/v1/query?query={Uri.EscapeDataString(query)}"));
        var result = body.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private static void Collect(JsonElement element, List<string> uids)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "datasource" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    uids.Add(property.Value.GetProperty("uid").GetString()!);
                }
                else
                {
                    Collect(property.Value, uids);
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Collect(item, uids);
            }
        }
    }
}
