using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// The image's publish stage (charts/sensing/image/Dockerfile) without a container engine: the build context is copied
/// as the stage's <c>COPY . .</c> copies it (.dockerignore applied), the stage's own <c>dotnet publish</c> command,
/// read from the Dockerfile, runs there into a temp folder, and the published <c>sensing</c> is started the way the
/// image's ENTRYPOINT starts it. The base images and the image build itself are not exercised.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ImagePublishTests
{
    private static readonly string DockerfilePath = Path.Combine(RepositoryPaths.SensingChart, "image", "Dockerfile");

    // What the librdkafka build that loads on the Debian runtime image may link: the C library's parts only (OpenSSL,
    // zlib, zstd and lz4 are linked into it statically).
    private static readonly string[] ExpectedLibraries =
    [
        "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-x86-64.so.2",
    ];

    // librdkafka.redist's linux-x64 builds, which a publish for linux-x64 puts next to sensing.dll: Confluent.Kafka
    // tries librdkafka.so first, which needs Cyrus SASL's libsasl2.so.3 (Debian 12 ships libsasl2.so.2), then
    // centos8-librdkafka.so.
    private const string LoadedLibrdkafka = "centos8-librdkafka.so";

    private DirectoryInfo _work = null!;
    private string _output = "";
    private string[] _publish = [];
    private string[] _entryPoint = [];
    private string _imageFolder = "";

    [OneTimeSetUp]
    public async Task PublishAsTheImageDoes()
    {
        var instructions = Instructions(await File.ReadAllTextAsync(DockerfilePath));
        var run = instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        // RUN [--mount=...] dotnet publish ...: the mounts are BuildKit's, the rest is the command.
        _publish = [.. run.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(a => a.StartsWith("--mount=", StringComparison.Ordinal))];
        Assert.That(_publish.Take(2), Is.EqualTo(new[] { "dotnet", "publish" }), run.Arguments);
        Assert.That(run.Arguments, Does.Not.Contain("\"").And.Not.Contain("'").And.Not.Contain("$"), "the command is split on spaces, so it holds no quoting or expansion");
        var outputIndex = Array.FindIndex(_publish, a => a is "-o" or "--output");
        Assert.That(outputIndex, Is.GreaterThan(0), "the publish command names its output folder");
        _imageFolder = _publish[outputIndex + 1];

        var copy = instructions.Single(i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal)).Arguments.Split(' ');
        Assert.That(copy[1], Is.EqualTo(_imageFolder), "the final stage copies what the publish stage wrote");
        var entryPoint = instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments;
        _entryPoint = [.. JsonArrayItem().Matches(entryPoint).Select(m => m.Groups[1].Value)];
        Assert.That(_entryPoint, Has.Length.EqualTo(2).And.Some.StartsWith(_imageFolder + "/"), entryPoint);

        // The stage: WORKDIR /src, COPY . . (the context: the repository root less .dockerignore), then the command there.
        _work = Directory.CreateTempSubdirectory("sensing-image-");
        var source = Path.Combine(_work.FullName, "src");
        CopyContext(RepositoryPaths.Root, source, DockerIgnoredNames());
        _output = Path.Combine(_work.FullName, "app");
        var command = (string[])_publish.Clone();
        command[outputIndex + 1] = _output;
        var (exitCode, output) = await RunAsync(command[0], command[1..], source, TimeSpan.FromMinutes(10));
        Assert.That(exitCode, Is.Zero, $"{string.Join(' ', _publish)}:\n{output}");
    }

    [OneTimeTearDown]
    public void RemoveWork()
    {
        try
        {
            _work?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not hide the test result; the OS temp cleaner takes it.
        }
    }

    [Test]
    public void Published_ImageFolder_HoldsSensingAndLibrdkafka()
    {
        Assert.That(File.Exists(Path.Combine(_output, "sensing.dll")), Is.True);
        Assert.That(File.Exists(Path.Combine(_output, LoadedLibrdkafka)), Is.True, "librdkafka from the librdkafka.redist package");
    }

    [Test]
    public async Task Published_Librdkafka_LinksOnlyWhatTheImageHas()
    {
        var (exitCode, output) = await RunAsync("readelf", ["-d", Path.Combine(_output, LoadedLibrdkafka)], _output, TimeSpan.FromSeconds(30));
        Assert.That(exitCode, Is.Zero, output);
        var needed = NeededLibrary().Matches(output).Select(m => m.Groups[1].Value).ToArray();
        Assert.That(needed, Is.Not.Empty.And.SubsetOf(ExpectedLibraries), output);
    }

    [Test]
    public async Task Published_SensingHelp_ListsTheSubcommandsTheManifestsRun()
    {
        var (exitCode, output) = await RunPublishedAsync("--help");

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("gateway").And.Contain("processor").And.Contain("feed"));
    }

    [Test]
    public async Task Published_ProcessorHelp_ListsItsKafkaAndStoreFlags()
    {
        var (exitCode, output) = await RunPublishedAsync("processor", "--help");

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("--kafka").And.Contain("--registry").And.Contain("--store-api").And.Contain("--store-database"));
    }

    // The ENTRYPOINT with the image's folder mapped to the temp output: dotnet <output>/sensing.dll ARGS.
    private Task<(int ExitCode, string Output)> RunPublishedAsync(params string[] arguments) =>
        RunAsync(_entryPoint[0], [.. _entryPoint.Skip(1).Select(a => _output + a[_imageFolder.Length..]), .. arguments], _output, TimeSpan.FromSeconds(60));

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, new StringBuilder(await stdout).Append(await stderr).ToString());
    }

    /// <summary>The instructions of a Dockerfile: continuation lines joined, comments and blank lines left out.</summary>
    private static List<(string Keyword, string Arguments)> Instructions(string dockerfile)
    {
        var list = new List<(string, string)>();
        var current = new StringBuilder();
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#') || (current.Length == 0 && line.Trim().Length == 0))
            {
                continue;
            }

            var continued = line.EndsWith('\\');
            current.Append(continued ? line[..^1] : line).Append(' ');
            if (!continued)
            {
                var text = Whitespace().Replace(current.ToString().Trim(), " ");
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                list.Add((text[..space].ToUpperInvariant(), text[(space + 1)..]));
                current.Clear();
            }
        }

        return list;
    }

    // Names .dockerignore leaves out of the context: "name" at the root or "**/name" anywhere.
    private static (HashSet<string> Root, HashSet<string> Anywhere) DockerIgnoredNames()
    {
        var root = new HashSet<string>(StringComparer.Ordinal);
        var anywhere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore")).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            Assert.That(line, Does.Match(@"^(\*\*/)?[\w.-]+$"), ".dockerignore patterns this test understands: NAME or **/NAME");
            (line.StartsWith("**/", StringComparison.Ordinal) ? anywhere : root).Add(line.StartsWith("**/", StringComparison.Ordinal) ? line[3..] : line);
        }

        return (root, anywhere);
    }

    private static void CopyContext(string from, string to, (HashSet<string> Root, HashSet<string> Anywhere) ignored, bool atRoot = true)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            var name = Path.GetFileName(file);
            if (!ignored.Anywhere.Contains(name) && !(atRoot && ignored.Root.Contains(name)))
            {
                File.Copy(file, Path.Combine(to, name));
            }
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(folder);
            if (!ignored.Anywhere.Contains(name) && !(atRoot && ignored.Root.Contains(name)))
            {
                CopyContext(folder, Path.Combine(to, name), ignored, atRoot: false);
            }
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"""([^""]*)""")]
    private static partial Regex JsonArrayItem();

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")]
    private static partial Regex NeededLibrary();
}
