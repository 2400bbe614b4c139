using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Sensing.IntegrationTests.Charts;

/// <summary>One Kubernetes object of a rendered manifest.</summary>
internal sealed record KubeObject(string Kind, string Name, YamlMappingNode Node)
{
    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>The output of <c>kubectl kustomize DIR</c>, parsed as YAML documents.</summary>
internal sealed class RenderedManifest
{
    private RenderedManifest(IReadOnlyList<KubeObject> objects) => Objects = objects;

    public IReadOnlyList<KubeObject> Objects { get; }

    /// <summary>Runs <c>kubectl kustomize</c> (offline; kubectl is installed by scripts/setup.sh) and parses what it prints.</summary>
    public static async Task<RenderedManifest> RenderAsync(string directory)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} exited {process.ExitCode}: {await error}");
        }

        return Parse(await output);
    }

    public static RenderedManifest Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new RenderedManifest([.. stream.Documents
            .Select(d => d.RootNode).OfType<YamlMappingNode>()
            .Select(n => new KubeObject(Text(n, "kind")!, Text(n, "metadata", "name")!, n))]);
    }

    public IEnumerable<KubeObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public KubeObject Single(string kind, string name) => Objects.Single(o => o.Kind == kind && o.Name == name);

    /// <summary>Deployments and StatefulSets.</summary>
    public IEnumerable<KubeObject> Workloads => Objects.Where(o => o.Kind is "Deployment" or "StatefulSet");

    /// <summary>The value at a path of mapping keys, or null.</summary>
    public static YamlNode? At(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Text(YamlNode? node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(YamlNode? node, params string[] path) =>
        At(node, path) is YamlSequenceNode sequence ? sequence.Children.OfType<YamlMappingNode>() : [];

    public static IEnumerable<string> Keys(YamlNode? node, params string[] path) =>
        At(node, path) is YamlMappingNode map ? map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!) : [];
}
