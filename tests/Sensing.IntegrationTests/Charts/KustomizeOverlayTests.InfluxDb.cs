using YamlDotNet.RepresentationModel;
using static Sensing.IntegrationTests.Charts.RenderedManifest;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// The overlay with InfluxDB as the store (overlays/evaluation-influxdb: the evaluation overlay and
/// components/store-influxdb): the general reference checks, and that Grafana, the processors and the store agree.
/// </summary>
public sealed partial class KustomizeOverlayTests
{
    private const string InfluxDbOverlay = "evaluation-influxdb";

    [Test]
    public Task InfluxDbOverlay_EveryConfigSecretAndVolumeReference_Exists() => Overlay_EveryConfigSecretAndVolumeReference_Exists(InfluxDbOverlay);

    [Test]
    public Task InfluxDbOverlay_EveryServicePort_ReachesAContainerPortOfItsPods() => Overlay_EveryServicePort_ReachesAContainerPortOfItsPods(InfluxDbOverlay);

    [Test]
    public Task InfluxDbOverlay_SensingContainers_PassOnlyFlagsTheCommandAccepts() => Overlay_SensingContainers_PassOnlyFlagsTheCommandAccepts(InfluxDbOverlay);

    [Test]
    public async Task InfluxDbOverlay_Grafana_ProvisionsTheInfluxQlDashboardsFromTheStoreTheProcessorsWrite()
    {
        var manifest = await RenderAsync(InfluxDbOverlay);
        var grafana = At(manifest.Single("Deployment", "grafana").Node, "spec", "template", "spec");
        var container = Items(grafana, "containers").Single(c => Text(c, "name") == "grafana");
        string MountPathOf(KubeObject configMap)
        {
            var volume = Items(grafana, "volumes").Single(v => Text(v, "configMap", "name") == configMap.Name);
            return Text(Items(container, "volumeMounts").Single(m => Text(m, "name") == Text(volume, "name")), "mountPath")!;
        }

        // The InfluxQL dashboards, mounted where their provider loads from; no provider loads the PromQL ones.
        var dashboards = Directory.GetFiles(Path.Combine(RepositoryPaths.GrafanaChart, "influxdb", "dashboards"), "*.json").Select(Path.GetFileName).ToArray();
        Assert.That(dashboards, Has.Length.GreaterThanOrEqualTo(3));
        var dashboardsMap = manifest.OfKind("ConfigMap").Single(c => dashboards.All(d => Keys(c.Node, "data").Contains(d!)) && Keys(c.Node, "data").Count() == dashboards.Length);
        var providers = manifest.OfKind("ConfigMap").Single(c => c.Name.StartsWith("grafana-dashboard-providers", StringComparison.Ordinal));
        Assert.That(Keys(providers.Node, "data"), Is.EquivalentTo(new[] { "sensing-influxdb.yaml" }));
        var provider = Items(YamlRoot(Text(providers.Node, "data", "sensing-influxdb.yaml")!), "providers").Single();
        Assert.That(MountPathOf(dashboardsMap), Is.EqualTo(Text(provider, "options", "path")));
        Assert.That(Text(provider, "folder"), Is.EqualTo("Sensing (InfluxDB)"));
        Assert.That(MountPathOf(providers), Is.EqualTo("/etc/grafana/provisioning/dashboards"));

        // The one data source: InfluxDB, with the uid the dashboards use, reading the store's Service and the database the processors write.
        var dataSources = manifest.OfKind("ConfigMap").Single(c => c.Name.StartsWith("grafana-datasources", StringComparison.Ordinal));
        Assert.That(Keys(dataSources.Node, "data"), Is.EquivalentTo(new[] { "influxdb.yaml" }));
        Assert.That(MountPathOf(dataSources), Is.EqualTo("/etc/grafana/provisioning/datasources"));
        var source = Items(YamlRoot(Text(dataSources.Node, "data", "influxdb.yaml")!), "datasources").Single();
        Assert.That(Text(source, "uid"), Is.EqualTo("sensing-influxdb"));
        foreach (var dashboard in GrafanaDashboard.LoadFolder(Path.Combine(RepositoryPaths.GrafanaChart, "influxdb", "dashboards")))
        {
            var json = File.ReadAllText(Path.Combine(RepositoryPaths.GrafanaChart, "influxdb", "dashboards", dashboard.File));
            Assert.That(json, Does.Contain("\"uid\": \"sensing-influxdb\"").And.Not.Contain("sensing-vm"), dashboard.File);
        }

        var url = new Uri(Text(source, "url")!);
        var store = manifest.OfKind("Service").SingleOrDefault(s => s.Name == url.Host);
        Assert.That(store, Is.Not.Null, $"the data source URL {url} should name a Service of the manifest");
        Assert.That(Items(store!.Node, "spec", "ports").Select(p => Text(p, "port")), Does.Contain(url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var config = manifest.OfKind("ConfigMap").Single(c => c.Name.StartsWith("sensing-config", StringComparison.Ordinal)).Node;
        Assert.That(new Uri(Text(config, "data", "store.url")!).Authority, Is.EqualTo(url.Authority), "Grafana should read the store the processors write");
        Assert.That(Text(config, "data", "store.api"), Is.EqualTo("InfluxV1"));
        Assert.That(Text(config, "data", "store.database"), Is.EqualTo(Text(source, "jsonData", "dbName")));
        Assert.That(manifest.Workloads.Select(w => w.Name), Does.Contain("influxdb").And.No.Contains("victoria-metrics"));
    }

    [Test]
    public async Task InfluxDbOverlay_EverySensingContainer_ReadsTheStoreApiAndDatabaseFromTheConfig()
    {
        var manifest = await RenderAsync(InfluxDbOverlay);
        var containers = manifest.Workloads.SelectMany(w => Items(At(w.Node, "spec", "template", "spec"), "containers")
            .Where(c => Text(c, "image")!.Contains("/sensing:", StringComparison.Ordinal)).Select(c => (Workload: w.Name, Container: c))).ToArray();
        Assert.That(containers, Has.Length.EqualTo(4), "gateway, processor, store sink, feed");
        foreach (var (workload, container) in containers)
        {
            // The variables --store-api and --store-database default to (src/Sensing/Cli/CommonOptions.cs).
            var env = Items(container, "env").ToDictionary(e => Text(e, "name")!, e => Text(e, "valueFrom", "configMapKeyRef", "key"));
            Assert.That(env.GetValueOrDefault("SENSING_STORE_API"), Is.EqualTo("store.api"), workload);
            Assert.That(env.GetValueOrDefault("SENSING_STORE_DATABASE"), Is.EqualTo("store.database"), workload);
            Assert.That(env.GetValueOrDefault("SENSING_STORE"), Is.EqualTo("store.url"), workload);
        }
    }

    // The base overlays keep VictoriaMetrics: the component changes nothing unless an overlay lists it.
    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_WithoutTheInfluxDbComponent_KeepsVictoriaMetrics(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        Assert.That(manifest.Workloads.Select(w => w.Name), Does.Contain("victoria-metrics").And.No.Contains("influxdb"));
        Assert.That(manifest.OfKind("ConfigMap").Where(c => c.Name.StartsWith("grafana-dashboards-influxdb", StringComparison.Ordinal)), Is.Empty);
    }
}
