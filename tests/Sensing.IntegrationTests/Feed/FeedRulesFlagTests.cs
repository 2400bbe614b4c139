using Sensing.IntegrationTests.Pipeline;

namespace Sensing.IntegrationTests.Feed;

/// <summary><c>sensing feed --rules FILE</c>: a file that does not check stops start-up naming its line, key and problem.</summary>
[TestFixture]
public sealed class FeedRulesFlagTests
{
    [Test]
    public async Task Feed_RulesWithAnUnknownPlaceholder_ExitsWithTwoNamingLineAndKey()
    {
        var folder = Directory.CreateTempSubdirectory("sensing-feed-rules-");
        try
        {
            var keys = Path.Combine(folder.FullName, "keys.csv");
            await File.WriteAllTextAsync(keys, $"operator,operator,{new string('a', 64)}\n");
            var rules = Path.Combine(folder.FullName, "rules.yaml");
            await File.WriteAllTextAsync(rules, "responses:\n  fire.smoke-alarm: \"Call {brigade}\"\n");

            var (exitCode, output) = await StoreFlagsTests.RunAsync(["feed", "--api-keys", keys, "--rules", rules, "--url", "http://127.0.0.1:0"]);

            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain($"sensing feed: {rules}:2: responses.fire.smoke-alarm: unknown placeholder {{brigade}}"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Help_ListsTheRulesFlag()
    {
        var (exitCode, output) = await StoreFlagsTests.RunAsync(["feed", "--help"]);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("--rules"));
    }
}
