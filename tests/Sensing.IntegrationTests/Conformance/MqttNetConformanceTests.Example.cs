using System.Globalization;
using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Conformance;

/// <summary>docs/devices.md's example program, as built from examples/Sensing.DeviceExample, against the gateway.</summary>
public sealed partial class MqttNetConformanceTests
{
    [Test]
    public async Task DeviceExample_RunAgainstGateway_ReadingsInKafkaAndCommandReceived()
    {
        const string device = "mn-example";
        await using var example = PeerClient.DotNet("Sensing.DeviceExample.dll",
            "127.0.0.1", _gateway.EndPoint.Port.ToString(CultureInfo.InvariantCulture), device, GatewayFixture.Password, "3", "30");

        Assert.That(await GatewayFixture.EventuallyAsync(() => example.Output.Contains("reading 3 acknowledged", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            Is.True, example.Output);
        var command = await _gateway.SendCommandAsync(device, "self-test", "cmd-" + device);
        var result = await example.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("connected session-present=False"));
        Assert.That(result.Output, Does.Contain("command " + command), result.ToString());
        var readings = await _gateway.WaitForReadingsAsync(device, r => r.Length >= 3);
        Assert.That(readings.Select(r => r.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3 }));
        Assert.That(readings[2].Metrics[Sensing.Core.Telemetry.Metric.MethaneLel], Is.EqualTo(4.5));
    }

    [Test]
    public void DevicesDoc_ExampleBlock_IsTheProgramTheTestRuns()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Sensing.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("no Sensing.sln above the tests");
        }

        var doc = File.ReadAllText(Path.Combine(root, "docs", "devices.md"));
        var program = File.ReadAllText(Path.Combine(root, "examples", "Sensing.DeviceExample", "Program.cs"));
        var block = Regex.Match(doc, "```csharp\n(?<code>.*?)```", RegexOptions.Singleline);

        Assert.That(block.Success, Is.True, "docs/devices.md has a csharp block");
        Assert.That(block.Groups["code"].Value, Is.EqualTo(program), "docs/devices.md shows examples/Sensing.DeviceExample/Program.cs as it is");
    }
}
