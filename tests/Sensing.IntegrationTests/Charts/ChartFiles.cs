using YamlDotNet.RepresentationModel;

namespace Sensing.IntegrationTests.Charts;

/// <summary>The Grafana provisioning files of charts/grafana, read as YAML.</summary>
internal static class ChartFiles
{
    public static string DataSourcesFile => Path.Combine(RepositoryPaths.GrafanaChart, "provisioning", "datasources", "victoriametrics.yaml");

    /// <summary>Uids of every data source provisioned in charts/grafana (the default and the alternatives).</summary>
    public static IReadOnlyList<string> ProvisionedDataSourceUids() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryPaths.GrafanaChart, "provisioning", "datasources"), "*.yaml")
            .SelectMany(f => DataSources(f)).Select(d => Scalar(d, "uid"))];

    /// <summary>The Prometheus data source's scrape interval (jsonData.timeInterval), which $__rate_interval is built from.</summary>
    public static TimeSpan PrometheusScrapeInterval()
    {
        var source = DataSources(DataSourcesFile).Single(d => Scalar(d, "type") == "prometheus");
        var jsonData = (YamlMappingNode)source.Children[new YamlScalarNode("jsonData")];
        return GrafanaTemplate.ParseDuration(Scalar(jsonData, "timeInterval"));
    }

    public static IEnumerable<YamlMappingNode> DataSources(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlSequenceNode)root.Children[new YamlScalarNode("datasources")]).Children.Cast<YamlMappingNode>();
    }

    public static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
