using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Sensing.Core.Devices;
using Sensing.Kafka;
using YamlDotNet.RepresentationModel;
using static Sensing.IntegrationTests.Charts.RenderedManifest;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// Renders each overlay of charts/sensing with <c>kubectl kustomize</c> (offline) and checks every reference in
/// what it produced: config keys, secrets, volumes, ports, Services, the Grafana provisioning and the sensing flags.
/// </summary>
[TestFixture]
public sealed partial class KustomizeOverlayTests
{
    private static readonly string[] Overlays = ["evaluation", "production"];
    private static readonly Dictionary<string, string> HelpBySubcommand = [];

    private static Task<RenderedManifest> RenderAsync(string overlay) =>
        RenderedManifest.RenderAsync(Path.Combine(RepositoryPaths.SensingChart, "overlays", overlay));

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_EveryConfigSecretAndVolumeReference_Exists(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        var problems = new List<string>();
        var configMaps = manifest.OfKind("ConfigMap").ToDictionary(c => c.Name, c => Keys(c.Node, "data").ToHashSet());
        var secrets = manifest.OfKind("Secret").ToDictionary(s => s.Name, s => Keys(s.Node, "data").Concat(Keys(s.Node, "stringData")).ToHashSet());
        // cert-manager writes a Certificate's key pair into the Secret its spec.secretName names.
        foreach (var certificate in manifest.OfKind("Certificate"))
        {
            secrets[Text(certificate.Node, "spec", "secretName")!] = ["tls.crt", "tls.key", "ca.crt"];
            var issuerKind = Text(certificate.Node, "spec", "issuerRef", "kind");
            var issuer = Text(certificate.Node, "spec", "issuerRef", "name")!;
            if (issuerKind == "Issuer" && !manifest.OfKind("Issuer").Any(i => i.Name == issuer))
            {
                problems.Add($"{certificate}: Issuer {issuer} is not in the manifest");
            }
        }

        foreach (var workload in manifest.Workloads)
        {
            var pod = At(workload.Node, "spec", "template", "spec");
            var volumes = Items(pod, "volumes").ToDictionary(v => Text(v, "name")!);
            foreach (var claim in Items(workload.Node, "spec", "volumeClaimTemplates"))
            {
                volumes[Text(claim, "metadata", "name")!] = claim; // a StatefulSet's per-pod volume
            }

            foreach (var (name, volume) in volumes)
            {
                if (Text(volume, "configMap", "name") is { } cm && !configMaps.ContainsKey(cm))
                {
                    problems.Add($"{workload}: volume {name}: ConfigMap {cm} missing");
                }

                if (Text(volume, "secret", "secretName") is { } secret && !secrets.ContainsKey(secret))
                {
                    problems.Add($"{workload}: volume {name}: Secret {secret} missing");
                }
            }

            foreach (var container in Items(pod, "containers"))
            {
                var where = $"{workload} container {Text(container, "name")}";
                var env = new HashSet<string>();
                foreach (var variable in Items(container, "env"))
                {
                    env.Add(Text(variable, "name")!);
                    CheckKeyRef(At(variable, "valueFrom", "configMapKeyRef"), configMaps, "ConfigMap", where, problems);
                    CheckKeyRef(At(variable, "valueFrom", "secretKeyRef"), secrets, "Secret", where, problems);
                }

                foreach (var arg in At(container, "args") is YamlSequenceNode args ? args.Children.OfType<YamlScalarNode>().Select(a => a.Value!) : [])
                {
                    foreach (Match m in EnvReference().Matches(arg))
                    {
                        if (!env.Contains(m.Groups[1].Value))
                        {
                            problems.Add($"{where}: argument '{arg}' references $({m.Groups[1].Value}), which is not in its env");
                        }
                    }
                }

                foreach (var mount in Items(container, "volumeMounts"))
                {
                    var volumeName = Text(mount, "name")!;
                    if (!volumes.TryGetValue(volumeName, out var volume))
                    {
                        problems.Add($"{where}: mounts volume {volumeName}, which the pod does not define");
                    }
                    else if (Text(mount, "subPath") is { } subPath && Text(volume, "configMap", "name") is { } cm
                        && configMaps.TryGetValue(cm, out var keys) && !keys.Contains(subPath))
                    {
                        problems.Add($"{where}: subPath {subPath} is not a key of ConfigMap {cm}");
                    }
                }

                var ports = Items(container, "ports").Select(p => Text(p, "name")).ToHashSet();
                foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
                {
                    var port = Text(container, probe, "tcpSocket", "port") ?? Text(container, probe, "httpGet", "port");
                    if (port is not null && !int.TryParse(port, out _) && !ports.Contains(port))
                    {
                        problems.Add($"{where}: {probe} uses port '{port}', which the container does not name");
                    }
                }

                Assert.That(Text(container, "resources", "requests", "cpu"), Is.Not.Null, where + " should request CPU");
                Assert.That(Text(container, "resources", "requests", "memory"), Is.Not.Null, where + " should request memory");
            }
        }

        Assert.That(manifest.Workloads.Count(), Is.GreaterThanOrEqualTo(5));
        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_EveryServicePort_ReachesAContainerPortOfItsPods(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        var problems = new List<string>();
        foreach (var service in manifest.OfKind("Service"))
        {
            var selector = ((YamlMappingNode)At(service.Node, "spec", "selector")!).Children
                .ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
            var pods = manifest.Workloads.Where(w =>
            {
                var labels = At(w.Node, "spec", "template", "metadata", "labels") as YamlMappingNode;
                return labels is not null && selector.All(s => Text(labels, s.Key) == s.Value);
            }).ToArray();
            if (pods.Length == 0)
            {
                problems.Add($"{service}: selector matches no workload");
                continue;
            }

            var containerPorts = pods.SelectMany(p => Items(At(p.Node, "spec", "template", "spec"), "containers"))
                .SelectMany(c => Items(c, "ports")).ToArray();
            foreach (var port in Items(service.Node, "spec", "ports"))
            {
                var target = Text(port, "targetPort") ?? Text(port, "port")!;
                if (!containerPorts.Any(c => Text(c, "name") == target || Text(c, "containerPort") == target))
                {
                    problems.Add($"{service}: port {Text(port, "port")} targets '{target}', which no selected container exposes");
                }
            }
        }

        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
        Assert.That(Text(manifest.Single("Service", "sensing-gateway").Node, "spec", "type"), Is.EqualTo("LoadBalancer"));
    }

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_Grafana_MountsEveryDashboardWhereItsProviderLoadsAndReachesTheStore(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        var grafana = At(manifest.Single("Deployment", "grafana").Node, "spec", "template", "spec");
        var container = Items(grafana, "containers").Single(c => Text(c, "name") == "grafana");
        string MountPathOfConfigMapWith(Func<KubeObject, bool> holds)
        {
            var configMap = manifest.OfKind("ConfigMap").Single(holds);
            var volume = Items(grafana, "volumes").Single(v => Text(v, "configMap", "name") == configMap.Name);
            return Text(Items(container, "volumeMounts").Single(m => Text(m, "name") == Text(volume, "name")), "mountPath")!;
        }

        var dashboards = Directory.GetFiles(RepositoryPaths.DashboardsFolder, "*.json").Select(Path.GetFileName).ToArray();
        var dashboardsPath = MountPathOfConfigMapWith(c => dashboards.All(d => Keys(c.Node, "data").Contains(d!)));
        var providers = manifest.OfKind("ConfigMap").Single(c => Keys(c.Node, "data").Contains("sensing.yaml"));
        var provider = YamlRoot(Text(providers.Node, "data", "sensing.yaml")!);
        var providerPath = Items(provider, "providers").Select(p => Text(p, "options", "path")).Single();
        Assert.That(dashboardsPath, Is.EqualTo(providerPath), "the dashboards ConfigMap must be mounted where the provider loads from");
        Assert.That(MountPathOfConfigMapWith(c => c.Name == providers.Name), Is.EqualTo("/etc/grafana/provisioning/dashboards"));

        var dataSources = manifest.OfKind("ConfigMap").Single(c => Keys(c.Node, "data").Contains("victoriametrics.yaml"));
        Assert.That(MountPathOfConfigMapWith(c => c.Name == dataSources.Name), Is.EqualTo("/etc/grafana/provisioning/datasources"));
        var url = new Uri(Text(Items(YamlRoot(Text(dataSources.Node, "data", "victoriametrics.yaml")!), "datasources").Single(), "url")!);
        var store = manifest.OfKind("Service").SingleOrDefault(s => s.Name == url.Host);
        Assert.That(store, Is.Not.Null, $"the data source URL {url} should name a Service of the manifest");
        Assert.That(Items(store!.Node, "spec", "ports").Select(p => Text(p, "port")), Does.Contain(url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var processorStore = Text(manifest.OfKind("ConfigMap").Single(c => c.Name.StartsWith("sensing-config", StringComparison.Ordinal)).Node, "data", "store.url");
        Assert.That(new Uri(processorStore!).Authority, Is.EqualTo(url.Authority), "Grafana should read the store the processors write");
    }

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_SensingContainers_PassOnlyFlagsTheCommandAccepts(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        var checkedCommands = new HashSet<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in Items(At(workload.Node, "spec", "template", "spec"), "containers")
                .Where(c => Text(c, "image")!.Contains("/sensing:", StringComparison.Ordinal)))
            {
                var args = ((YamlSequenceNode)At(container, "args")!).Children.OfType<YamlScalarNode>().Select(a => a.Value!).ToArray();
                var options = HelpOptions(await SensingHelpAsync(args[0]));
                Assert.That(options, Is.Not.Empty, $"`sensing {args[0]} --help` should list its options");
                foreach (var flag in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                {
                    Assert.That(options.Keys, Does.Contain(flag), $"{workload}: `sensing {args[0]}` has no option {flag}");
                }

                foreach (var (option, required) in options)
                {
                    Assert.That(!required || args.Contains(option), $"{workload}: `sensing {args[0]}` requires {option}, which the manifest does not pass");
                }

                checkedCommands.Add(args[0]);
            }
        }

        Assert.That(checkedCommands, Is.EquivalentTo(new[] { "gateway", "processor", "feed" }));
    }

    [TestCaseSource(nameof(Overlays))]
    public async Task Overlay_RegistrySeed_IsImportedByAJob_AndNoWorkloadMountsARegistryFile(string overlay)
    {
        var manifest = await RenderAsync(overlay);
        var secret = manifest.OfKind("Secret").Single(s => s.Name.StartsWith("sensing-device-seed", StringComparison.Ordinal));
        var path = Path.Combine(Path.GetTempPath(), $"registry-{Guid.NewGuid():N}.csv");
        try
        {
            await File.WriteAllBytesAsync(path, Convert.FromBase64String(Text(secret.Node, "data", "devices.csv")!));
            var registry = DeviceRegistry.Load(path);
            Assert.That(registry.Count, Is.GreaterThanOrEqualTo(DeviceKinds.All.Length));
        }
        finally
        {
            File.Delete(path);
        }

        // The Job imports the seed from where its volume mounts the Secret, with flags `sensing devices import` takes.
        var job = manifest.Single("Job", "sensing-devices-import");
        var podSpec = At(job.Node, "spec", "template", "spec");
        var container = Items(podSpec, "containers").Single();
        var args = ((YamlSequenceNode)At(container, "args")!).Children.OfType<YamlScalarNode>().Select(a => a.Value!).ToArray();
        Assert.That(args[..2], Is.EqualTo(new[] { "devices", "import" }));
        var volume = Items(podSpec, "volumes").Single(v => Text(v, "secret", "secretName") == secret.Name);
        var mount = Text(Items(container, "volumeMounts").Single(m => Text(m, "name") == Text(volume, "name")), "mountPath")!;
        Assert.That(args[2], Is.EqualTo(mount + "/devices.csv"), "the Job should import the mounted seed file");
        var help = await SensingHelpAsync("devices import");
        foreach (var flag in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.That(HelpOptions(help).Keys, Does.Contain(flag), $"`sensing devices import` has no option {flag}");
        }

        foreach (var workload in manifest.Workloads)
        {
            Assert.That(workload.Node.ToString(), Does.Not.Contain("--registry").And.Not.Contain(secret.Name),
                $"{workload}: gateways and processors read sensing.devices, not a mounted file");
        }
    }

    [Test]
    public async Task Production_RunsThreeGatewaysAndThreeProcessors_WithinTheTelemetryPartitions()
    {
        var manifest = await RenderAsync("production");
        Assert.That(Text(manifest.Single("Deployment", "sensing-gateway").Node, "spec", "replicas"), Is.EqualTo("3"));
        var processors = int.Parse(Text(manifest.Single("Deployment", "sensing-processor").Node, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(processors, Is.EqualTo(3));
        Assert.That(processors, Is.LessThanOrEqualTo(TelemetryPartitions(manifest)), "processors beyond the partition count would be idle");
        Assert.That(manifest.OfKind("Service").Single(s => s.Name == "sensing-gateway").Node.ToString(), Does.Not.Contain("1883"), "production devices connect over TLS only");
    }

    [Test]
    public async Task Evaluation_RunsOneOfEachWithKafkaFromStrimzi()
    {
        var manifest = await RenderAsync("evaluation");
        Assert.That(manifest.Workloads.Select(w => Text(w.Node, "spec", "replicas")), Is.All.EqualTo("1"));
        var kafka = manifest.OfKind("Kafka").Single();
        var bootstrap = Text(manifest.OfKind("ConfigMap").Single(c => c.Name.StartsWith("sensing-config", StringComparison.Ordinal)).Node, "data", "kafka.bootstrap");
        Assert.That(bootstrap, Is.EqualTo($"{kafka.Name}-kafka-bootstrap:9092"), "Strimzi's bootstrap Service is <cluster>-kafka-bootstrap");
        var topics = manifest.OfKind("KafkaTopic").Select(t => Text(t.Node, "spec", "topicName")).ToArray();
        Assert.That(topics, Is.EquivalentTo(SensingTopics.Default.All.Select(t => t.Name).ToArray()));
        Assert.That(int.Parse(Text(manifest.Single("Deployment", "sensing-processor").Node, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture),
            Is.LessThanOrEqualTo(TelemetryPartitions(manifest)));
    }

    // The telemetry topic's partitions: from the Strimzi KafkaTopic when the manifest creates it, otherwise the
    // count the pipeline creates topics with (an existing cluster's topics are made with SensingTopics' counts).
    private static int TelemetryPartitions(RenderedManifest manifest) =>
        manifest.OfKind("KafkaTopic").Where(t => Text(t.Node, "spec", "topicName") == SensingTopics.Default.Telemetry)
            .Select(t => int.Parse(Text(t.Node, "spec", "partitions")!, System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(SensingTopics.Default.TelemetryPartitions).Single();

    private static void CheckKeyRef(YamlNode? reference, Dictionary<string, HashSet<string>> objects, string kind, string where, List<string> problems)
    {
        if (reference is null)
        {
            return;
        }

        var name = Text(reference, "name")!;
        var key = Text(reference, "key")!;
        if (!objects.TryGetValue(name, out var keys))
        {
            problems.Add($"{where}: {kind} {name} missing");
        }
        else if (!keys.Contains(key))
        {
            problems.Add($"{where}: {kind} {name} has no key {key}");
        }
    }

    private static YamlMappingNode YamlRoot(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The help text of <c>sensing SUBCOMMAND</c>, from the executable built next to the tests.</summary>
    private static async Task<string> SensingHelpAsync(string subcommand)
    {
        lock (HelpBySubcommand)
        {
            if (HelpBySubcommand.TryGetValue(subcommand, out var cached))
            {
                return cached;
            }
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sensing.dll"));
        foreach (var word in subcommand.Split(' '))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add("--help");
        using var process = Process.Start(start)!;
        var output = new StringBuilder(await process.StandardOutput.ReadToEndAsync());
        output.Append(await process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(process.ExitCode, Is.Zero, $"sensing {subcommand} --help: {output}");
        lock (HelpBySubcommand)
        {
            HelpBySubcommand[subcommand] = output.ToString();
        }

        return output.ToString();
    }

    // The options of a System.CommandLine help text: "  --registry <registry> (REQUIRED)   Device registry ...".
    private static Dictionary<string, bool> HelpOptions(string help) =>
        HelpOptionLine().Matches(help).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["required"].Success);

    [GeneratedRegex(@"^\s+(?:-\S+, )*(?<name>--[a-z][a-z0-9-]*)(?: <[^>]+>)?(?<required> \(REQUIRED\))?", RegexOptions.Multiline)]
    private static partial Regex HelpOptionLine();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex EnvReference();
}
