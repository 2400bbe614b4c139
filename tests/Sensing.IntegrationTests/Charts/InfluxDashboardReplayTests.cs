using System.Diagnostics;
using System.Globalization;
using Sensing.Core.Devices;
using Sensing.IntegrationTests.Pipeline;
using Sensing.IntegrationTests.Storage;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// Runs the short simulated city of <see cref="ChartCity"/> through the real gateway and Kafka 0.9 into a
/// <c>sensing processor</c> process that writes a real InfluxDB 1.x (<c>--store-api InfluxV1</c>), then replays every
/// query and template variable of the InfluxQL dashboards (charts/grafana/influxdb) the way Grafana's InfluxDB data
/// source sends them.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class InfluxDashboardReplayTests
{
    private const string Database = "sensing";

    // Alert groups (condition, district, severity) the city leaves active: see DashboardReplayTests.
    private const int ActiveAlertGroups = 10;

    private readonly PipelineFixture _city = new();
    private readonly LocalInfluxDb _influx = new(LocalInfluxDbOptions.Default with { Databases = [Database] });
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stopHeartbeat = new();
    private Task _heartbeat = Task.CompletedTask;
    private StoreServerProcess? _processor;
    private InfluxQlHttpApi _store = null!;
    private DateTimeOffset _now;

    private static string DashboardsFolder => Path.Combine(RepositoryPaths.GrafanaChart, "influxdb", "dashboards");

    [OneTimeSetUp]
    public async Task RunCity()
    {
        var city = new ChartCity(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000);
        await Task.WhenAll(_city.StartAsync(city.Registry), _influx.StartAsync());
        _store = new InfluxQlHttpApi(_http, _influx.BaseUrl, Database);

        // The processor as a city runs it with InfluxDB as its store: the sensing executable and its store flags. Its own
        // consumer group, so it reads every reading next to the fixture's processor (which writes VictoriaMetrics).
        var folder = Directory.CreateTempSubdirectory("sensing-influx-processor-").FullName;
        var registry = Path.Combine(folder, "devices.csv");
        DeviceRegistryFile.Write(registry, city.Registry);
        _processor = StoreServerProcess.Start(Path.Combine(AppContext.BaseDirectory, "sensing"), folder,
            "processor", "--kafka", _city.Kafka.BootstrapServers, "--kafka-legacy-version", "0.9.0.1", "--registry", registry,
            "--store", _influx.BaseUrl, "--store-api", "InfluxV1", "--store-database", Database, "--group", "sensing-processor-influxdb");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await city.PublishAsync(_city.GatewayEndPoint, timeout.Token);
        _heartbeat = city.RunHeartbeatAsync(_city.GatewayEndPoint, _stopHeartbeat.Token);

        // Wait until every published field value is in InfluxDB, the d01 leak's alert has cleared and the processor's
        // active-alert counts show the alerts that stay active.
        var stored = 0.0;
        var cleared = 0.0;
        var active = 0.0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            stored = await StoredFieldValuesAsync(city.Heartbeat.Id);
            cleared = await _store.ScalarAsync("SELECT count(\"value\") FROM \"sensing_alert\" WHERE \"event\" = 'cleared'");
            active = await _store.ScalarAsync("SELECT count(\"last\") FROM (SELECT last(\"value\") FROM \"sensing_alerts_active\" WHERE time > now() - 1h "
                + "GROUP BY \"condition\", \"district\", \"severity\") WHERE \"last\" > 0");
            if (stored >= city.FieldValues && cleared >= 1 && active >= ActiveAlertGroups)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.That(stored, Is.EqualTo(city.FieldValues), "every published field value should be in InfluxDB; processor output:\n" + _processor.Log);
        Assert.That(cleared, Is.GreaterThanOrEqualTo(1), "the d01 methane alert should have cleared");
        Assert.That(active, Is.GreaterThanOrEqualTo(ActiveAlertGroups), "the alerts that stay active should be in sensing_alerts_active");
        _now = DateTimeOffset.UtcNow;
    }

    [OneTimeTearDown]
    public async Task StopCity()
    {
        await _stopHeartbeat.CancelAsync();
        await _heartbeat;
        _stopHeartbeat.Dispose();
        _processor?.Dispose();
        _http.Dispose();
        await _city.DisposeAsync();
        await _influx.DisposeAsync();
    }

    [Test]
    public void InfluxDbDashboards_CityGasAndWater_AreProvisionedWithTheDistrictAndKindVariables()
    {
        var dashboards = GrafanaDashboard.LoadFolder(DashboardsFolder);
        Assert.That(dashboards.Select(d => d.Title), Is.SupersetOf(new[]
        {
            "Sensing (InfluxDB): City overview", "Sensing (InfluxDB): Gas", "Sensing (InfluxDB): Water",
        }));
        foreach (var dashboard in dashboards)
        {
            Assert.That(dashboard.Variables.Select(v => v.Name), Is.SupersetOf(new[] { "district", "kind" }), dashboard.File);
            Assert.That(dashboard.Variables.Select(v => v.Query), Has.All.StartsWith("SHOW TAG VALUES"), dashboard.File);
            Assert.That(dashboard.Queries.Where(q => !q.Expression.Contains("$timeFilter", StringComparison.Ordinal) && !q.Expression.Contains("now() - ", StringComparison.Ordinal)),
                Is.Empty, dashboard.File + ": every query should be bounded in time");
            Assert.That(dashboard.Queries.Select(q => q.Expression), Has.Some.Contains("GROUP BY time($__interval)"), dashboard.File);
        }
    }

    [Test]
    public async Task InfluxDbDashboards_EveryQueryReplayedAgainstInfluxDb_ValidReturnsSeriesAndNamesOnlyWrittenMeasurements()
    {
        var dashboards = GrafanaDashboard.LoadFolder(DashboardsFolder);
        var failures = new List<string>();
        var queries = 0;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dashboard in dashboards)
        {
            var replay = new InfluxDashboardReplay(_store, Relative(dashboard.DefaultFrom), _now, MinInterval());
            await replay.ReplayAsync(dashboard);
            failures.AddRange(replay.Failures);
            queries += replay.QueriesSent;
            names.UnionWith(replay.NamesChecked);
        }

        TestContext.Progress.WriteLine($"replayed {dashboards.Count} InfluxQL dashboards: {queries} queries; names read: {string.Join(", ", names)}");
        Assert.That(dashboards.Sum(d => d.Queries.Count), Is.GreaterThanOrEqualTo(15), "the dashboards should hold their panels");
        Assert.That(names, Does.Contain("sensing_reading.lel").And.Contain("sensing_alert.event").And.Contain("sensing_alerts_active.value"));
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures));
    }

    [Test]
    public async Task InfluxDbDashboards_KeyPanels_ShowWhatTheCityDid()
    {
        var methane = await PanelAsync("Sensing (InfluxDB): Gas", "Methane %LEL by district (highest detector)");
        Assert.That(methane.Single(s => s["district"] == "d01").Numbers("max").Max(), Is.EqualTo(62.0), "the d01 leak peaked at 62 %LEL");

        var valves = await PanelAsync("Sensing (InfluxDB): Gas", "Valves closed by district");
        Assert.That(valves.Single(s => s["district"] == "d03").Numbers("sum").Single(), Is.EqualTo(1), "the d03 meter reports its valve closed");
        Assert.That(valves.Single(s => s["district"] == "d01").Numbers("sum").Single(), Is.Zero);

        var compliance = await PanelAsync("Sensing (InfluxDB): Water", "Pressure compliance by district (% of readings at or above 0.14 MPa)");
        Assert.That(compliance.Single(s => s["district"] == "d01").Numbers("mean").Single(), Is.EqualTo(100));
        Assert.That(compliance.Single(s => s["district"] == "d03").Numbers("mean").Single(), Is.EqualTo(25).Within(1e-9),
            "d03 sagged to 0.12 MPa from its 13th of 48 readings on");

        var active = await PanelAsync("Sensing (InfluxDB): City overview", "Active alerts by district and severity");
        Assert.That(active.Select(s => $"{s["district"]} {s["severity"]} {s.Numbers("active").Single()}"),
            Is.EquivalentTo(new[] { "d01 Low 1", "d02 High 2", "d02 Medium 1", "d03 Critical 1", "d03 High 2", "d03 Medium 3" }));

        var reporting = await PanelAsync("Sensing (InfluxDB): City overview", "Devices reporting by kind (last 15 min)");
        // Three devices of every kind; the heartbeat detector reports too.
        Assert.That(reporting.Single().Numbers("gas-meter").Single(), Is.EqualTo(3));
        Assert.That(reporting.Single().Numbers("methane-detector").Single(), Is.EqualTo(4));
    }

    [Test]
    public async Task Replay_InfluxDbDashboardNamingAFieldOrMeasurementNeverWritten_Fails()
    {
        const string json = """
            {
              "uid": "probe", "title": "Probe", "time": { "from": "now-1h", "to": "now" },
              "templating": { "list": [
                { "name": "kind", "type": "query", "query": "SHOW TAG VALUES FROM \"sensing_reading\" WITH KEY = \"kind\"", "multi": true, "includeAll": true },
                { "name": "district", "type": "query", "query": "SHOW TAG VALUES FROM \"sensing_reading\" WITH KEY = \"district\" WHERE \"kind\" =~ /^$kind$/" },
                { "name": "zone", "type": "query", "query": "SHOW TAG VALUES FROM \"sensing_reading\" WITH KEY = \"zone\"" }
              ] },
              "panels": [
                { "type": "timeseries", "title": "lel", "targets": [ { "refId": "A", "rawQuery": true,
                  "query": "SELECT max(\"lel\") FROM \"sensing_reading\" WHERE \"kind\" =~ /^$kind$/ AND $timeFilter GROUP BY time($__interval), \"district\"" } ] },
                { "type": "stat", "title": "plain", "targets": [ { "refId": "A", "rawQuery": true,
                  "query": "SELECT count(\"lel\") / ($__interval_ms / 1000) FROM \"sensing_reading\" WHERE \"district\" = '$district' AND $timeFilter" } ] },
                { "type": "timeseries", "title": "viscosity", "targets": [ { "refId": "A", "rawQuery": true,
                  "query": "SELECT max(\"viscosity\") FROM \"sensing_reading\" WHERE $timeFilter GROUP BY time($__interval)" } ] },
                { "type": "timeseries", "title": "pumps", "targets": [ { "refId": "A", "rawQuery": true,
                  "query": "SELECT mean(\"speed\") FROM (SELECT last(\"speed\") AS \"speed\" FROM \"sensing_pump\" WHERE $timeFilter GROUP BY \"device\")" } ] },
                { "type": "stat", "title": "broken", "targets": [ { "refId": "A", "rawQuery": true,
                  "query": "SELECT max(\"lel\" FROM \"sensing_reading\" WHERE $timeFilter" } ] }
              ]
            }
            """;
        var replay = new InfluxDashboardReplay(_store, _now.AddHours(-1), _now, MinInterval());
        await replay.ReplayAsync(GrafanaDashboard.Parse("probe.json", json));

        var failures = string.Join(Environment.NewLine, replay.Failures);
        Assert.That(Failed(replay, "Probe / viscosity / A", "no series"), Is.True, failures);
        Assert.That(Failed(replay, "names 'viscosity' of 'sensing_reading'"), Is.True, failures);
        Assert.That(Failed(replay, "Probe / pumps / A", "reads measurement 'sensing_pump'"), Is.True, failures);
        Assert.That(Failed(replay, "Probe / broken / A", "invalid"), Is.True, failures);
        Assert.That(Failed(replay, "variable zone", "found no values"), Is.True, failures);
        Assert.That(Failed(replay, "variable zone", "names 'zone' of 'sensing_reading'"), Is.True, failures);
        Assert.That(Failed(replay, "Probe / lel / A"), Is.False, "a written field with data passes, its variable in /^$kind$/ form: " + failures);
        Assert.That(Failed(replay, "Probe / plain / A"), Is.False, "a single-value variable in '$district' form passes: " + failures);
        Assert.That(Failed(replay, "variable kind") || Failed(replay, "variable district"), Is.False, failures);
    }

    private static bool Failed(InfluxDashboardReplay replay, params string[] parts) =>
        replay.Failures.Any(f => parts.All(p => f.Contains(p, StringComparison.Ordinal)));

    // The series of a panel's first query, with every variable at "All", as Grafana sends it over the dashboard's default range.
    private async Task<IReadOnlyList<InfluxSeries>> PanelAsync(string dashboardTitle, string panelTitle)
    {
        var dashboard = GrafanaDashboard.LoadFolder(DashboardsFolder).Single(d => d.Title == dashboardTitle);
        var query = dashboard.Queries.First(q => q.Panel == panelTitle);
        var from = Relative(dashboard.DefaultFrom);
        var all = dashboard.Variables.ToDictionary(v => v.Name, _ => VariableSelection.AllValues);
        var found = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var variable in dashboard.Variables)
        {
            var expanded = new InfluxQlTemplate(from, _now, MinInterval(), dashboard.Variables, all, found).ExpandVariables(variable.Query);
            found[variable.Name] = (await _store.TagValuesAsync(expanded)).Values;
        }

        var answer = await _store.QueryAsync(new InfluxQlTemplate(from, _now, MinInterval(), dashboard.Variables, all, found).Expand(query));
        Assert.That(answer.HasData, Is.True, $"{query}: {answer}");
        return answer.Series;
    }

    // The InfluxDB data source's jsonData.timeInterval: the smallest $__interval Grafana uses with it.
    private static TimeSpan MinInterval()
    {
        var file = Path.Combine(RepositoryPaths.GrafanaChart, "influxdb", "provisioning", "datasources", "influxdb.yaml");
        var source = ChartFiles.DataSources(file).Single(d => ChartFiles.Scalar(d, "type") == "influxdb");
        var jsonData = (YamlDotNet.RepresentationModel.YamlMappingNode)source.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("jsonData")];
        return GrafanaTemplate.ParseDuration(ChartFiles.Scalar(jsonData, "timeInterval"));
    }

    private DateTimeOffset Relative(string grafanaTime) =>
        grafanaTime == "now" ? _now : _now - GrafanaTemplate.ParseDuration(grafanaTime["now-".Length..]);

    // Field values of the city's devices in sensing_reading: SELECT count(*) answers one count_<field> column per field.
    // The gateway's connection events (online) are not what the devices published.
    private async Task<double> StoredFieldValuesAsync(string heartbeat)
    {
        var answer = await _store.QueryAsync($"SELECT count(*) FROM \"sensing_reading\" WHERE \"device\" != '{heartbeat}'");
        var series = answer.Series.FirstOrDefault();
        return series is null ? 0 : series.Columns.Where(c => c.StartsWith("count_", StringComparison.Ordinal) && c != "count_online")
            .Sum(c => series.Numbers(c).Sum());
    }
}
