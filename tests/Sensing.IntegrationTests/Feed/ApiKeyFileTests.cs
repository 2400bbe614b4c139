using System.Diagnostics;
using Sensing.Feed.Auth;

namespace Sensing.IntegrationTests.Feed;

/// <summary>The keys file: what it accepts, and a bad file stopping <c>sensing feed</c> naming the line and the problem.</summary>
[TestFixture]
public sealed class ApiKeyFileTests
{
    private static readonly string Hash = ApiKeyRing.Hash("k1");

    [Test]
    public void Parse_HeaderCommentsAndRoles_KeysIdentified()
    {
        var ring = ApiKeyRing.Parse(["name,role,sha256", "# control room", "", $"alice,Operator,{Hash.ToUpperInvariant()}", $"wall,viewer,{ApiKeyRing.Hash("k2")}"], "keys.csv");
        Assert.That(ring.Count, Is.EqualTo(2));
        Assert.That(ring.Identify("k1"), Is.EqualTo(new ApiKeyEntry("alice", FeedRole.Operator, Hash)));
        Assert.That(ring.Identify("k2")?.Role, Is.EqualTo(FeedRole.Viewer));
        Assert.That(ring.Identify("k3"), Is.Null);
        Assert.That(ring.Identify(""), Is.Null);
    }

    [Test]
    public void Parse_HeaderAfterComments_SkippedAsHeader()
    {
        var ring = ApiKeyRing.Parse(["# keys of the control room", "name,role,sha256", $"alice,operator,{Hash}"], "keys.csv");
        Assert.That(ring.Count, Is.EqualTo(1));
        Assert.That(ring.Identify("k1")?.Name, Is.EqualTo("alice"));
    }

    [Test]
    public void Load_KeysFileShippedWithTheCharts_LoadsBothRoles()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Sensing.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("Sensing.sln above " + AppContext.BaseDirectory);
        }

        // The example file's keys are 'example-<name>' (see its comment).
        var ring = ApiKeyRing.Load(Path.Combine(root, "charts", "sensing", "base", "api-keys.example.csv"));
        Assert.That(ring.Identify("example-analyst")?.Role, Is.EqualTo(FeedRole.Viewer));
        Assert.That(ring.Identify("example-duty-operator")?.Role, Is.EqualTo(FeedRole.Operator));
    }

    [TestCase("alice,root,HASH", "line 2: role 'root' is not viewer, operator or admin")]
    [TestCase("alice,viewer,abc", "line 2: sha256 must be 64 hex digits")]
    [TestCase("alice,viewer", "line 2: expected 3 fields")]
    [TestCase("al ice,viewer,HASH", "line 2: name 'al ice'")]
    [TestCase("bob,viewer,HASH", "line 2: the same key hash is already given to 'alice'")]
    public void Parse_BadLine_NamesLineAndProblem(string line, string expected)
    {
        var first = $"alice,operator,{Hash}";
        var error = Assert.Throws<ApiKeyFileException>(() => ApiKeyRing.Parse([first, line.Replace("HASH", Hash, StringComparison.Ordinal)], "keys.csv"));
        Assert.That(error!.Message, Does.StartWith("api keys file keys.csv ").And.Contain(expected));
    }

    [Test]
    public void Parse_NoKeys_Refused()
    {
        var error = Assert.Throws<ApiKeyFileException>(() => ApiKeyRing.Parse(["name,role,sha256", "# none yet"], "keys.csv"));
        Assert.That(error!.Message, Does.Contain("no keys"));
    }

    [Test]
    public void LocalKeys_WrittenFile_LoadsBothRoles()
    {
        var keys = LocalApiKeys.Create();
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"keys-{Guid.NewGuid():N}.csv");
        keys.WriteFile(path);
        var ring = ApiKeyRing.Load(path);
        var lines = File.ReadAllLines(path);
        File.Delete(path);
        Assert.That(lines, Has.None.Contain(keys.OperatorKey).And.None.Contain(keys.ViewerKey), "the file holds hashes, not keys");
        Assert.That(ring.Identify(keys.OperatorKey)?.Role, Is.EqualTo(FeedRole.Operator));
        Assert.That(ring.Identify(keys.ViewerKey)?.Role, Is.EqualTo(FeedRole.Viewer));
        Assert.That(keys.OperatorKey, Is.Not.EqualTo(keys.ViewerKey));
    }

    [Test]
    public async Task FeedCommand_BadKeysFile_ExitsNamingLineAndProblem()
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"keys-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(path, ["name,role,sha256", $"alice,operator,{Hash}", "bob,superuser,0123"]);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sensing.dll"), "feed", "--api-keys", path, "--url", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        File.Delete(path);

        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(await stderr, Does.Contain($"{path} line 3: role 'superuser' is not viewer, operator or admin"));
    }
}
