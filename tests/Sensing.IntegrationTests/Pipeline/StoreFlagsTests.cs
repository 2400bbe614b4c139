using System.Diagnostics;
using System.Text;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>
/// The store flags of <c>sensing processor</c>, <c>gateway</c> and <c>feed</c>: a bad combination stops start-up with exit
/// code 2 and a message naming the flag, before anything connects.
/// </summary>
[TestFixture]
public sealed class StoreFlagsTests
{
    [TestCase("processor", new[] { "--store-api", "InfluxV1" }, "--store-database: required with --store-api InfluxV1")]
    [TestCase("gateway", new[] { "--store-api", "InfluxV2" }, "--store-bucket: required with --store-api InfluxV2")]
    [TestCase("processor", new[] { "--store-api", "Influx" }, "--store-api: 'Influx' is not one of VictoriaMetrics, InfluxV1, InfluxV2")]
    [TestCase("processor", new[] { "--store-api", "1" }, "--store-api: '1' is not one of")]
    [TestCase("gateway", new[] { "--store", "127.0.0.1:8086", "--store-api", "InfluxV1", "--store-database", "sensing" }, "--store: '127.0.0.1:8086' is not an absolute")]
    public async Task Command_BadStoreFlags_ExitsWithTwoNamingTheFlag(string command, string[] flags, string message)
    {
        var (exitCode, output) = await RunAsync([command, "--registry", "/nonexistent/devices.csv", .. flags]);

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain($"sensing {command}: {message}"));
    }

    [Test]
    public async Task StoreApiFromEnvironment_Unknown_ExitsWithTwoNamingTheFlag()
    {
        var (exitCode, output) = await RunAsync(["processor", "--registry", "/nonexistent/devices.csv"], ("SENSING_STORE_API", "influx-v3"));

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("--store-api: 'influx-v3' is not one of"));
    }

    [TestCase("processor")]
    [TestCase("gateway")]
    [TestCase("feed")]
    public async Task Help_ListsEveryStoreFlag(string command)
    {
        var (exitCode, output) = await RunAsync([command, "--help"]);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("--store-api").And.Contain("--store-database").And.Contain("--store-org").And.Contain("--store-bucket"));
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sensing"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "SENSING_STORE", "SENSING_STORE_API", "SENSING_STORE_DATABASE", "SENSING_STORE_BUCKET" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
