using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Rules;

namespace Sensing.Tests.Rules;

/// <summary>The rules file's <c>responses</c> section: reading, checking and writing response texts.</summary>
[TestFixture]
public sealed class ResponseRulesTests
{
    private const string File = "rules.yaml";

    [Test]
    public void Parse_CityAndDistrictTexts_SetThoseTextsOnly()
    {
        var rules = RulesFile.Parse("""
            responses:
              fire.smoke-alarm: "Call 119, then the estate office on 0532-1234."
            districts:
              tunnel-1:
                responses:
                  gas.methane-high.critical: |
                    Close tunnel gates T1 and T2; start the tunnel fans.
            """, File);

        var city = rules.Detection.Responses;
        var tunnel = rules.Detection.Overrides.Districts["tunnel-1"](rules.Detection).Responses;
        Assert.That(city.For(AlertCondition.SmokeAlarm, AlertSeverity.Critical), Is.EqualTo("Call 119, then the estate office on 0532-1234."));
        Assert.That(city.For(AlertCondition.MethaneHigh, AlertSeverity.Critical), Is.EqualTo(AlertResponses.Default.Text("gas.methane-high.critical")));
        Assert.That(tunnel.For(AlertCondition.MethaneHigh, AlertSeverity.Critical), Is.EqualTo("Close tunnel gates T1 and T2; start the tunnel fans."));
        Assert.That(tunnel.For(AlertCondition.MethaneHigh, AlertSeverity.High), Is.EqualTo(AlertResponses.Default.Text("gas.methane-high")));
        Assert.That(tunnel.For(AlertCondition.SmokeAlarm, AlertSeverity.Critical), Does.StartWith("Call 119"), "a district keeps the city's other texts");
        Assert.That(rules.Settings.Keys, Is.EquivalentTo(new[] { "responses.fire.smoke-alarm", "districts.tunnel-1.responses.gas.methane-high.critical" }));
    }

    [TestCase("responses:\n  gas.methane-high: \"Call {someone}\"\n", 2,
        "responses.gas.methane-high", "unknown placeholder {someone}")]
    [TestCase("responses:\n  gas.methane-high:\n", 2, "responses.gas.methane-high", "expected a text, was empty")]
    [TestCase("responses:\n  gas.methane-high: \"  \"\n", 2, "responses.gas.methane-high", "expected a text, was blank")]
    [TestCase("responses:\n  gas.methane-low: x\n", 2, "responses.gas.methane-low", "unknown key (expected one of: gas.methane-high, gas.methane-high.critical,")]
    [TestCase("kinds:\n  gas-meter:\n    responses:\n      gas.meter-rupture: x\n", 3, "kinds.gas-meter.responses", "responses is not set per device kind")]
    [TestCase("devices:\n  gm-1:\n    responses:\n      gas.meter-rupture: x\n", 3, "devices.gm-1.responses", "responses is not set per device")]
    [TestCase("districts:\n  d07:\n    responses:\n      fire.smoke-alarm: \"{nope}\"\n", 4, "districts.d07.responses.fire.smoke-alarm", "unknown placeholder {nope}")]
    public void Parse_BadResponse_NamesFileLineAndKeyPath(string yaml, int line, string key, string problem)
    {
        var error = Assert.Throws<RulesFileException>(() => RulesFile.Parse(yaml, File));

        Assert.That(error!.Line, Is.EqualTo(line), error.Message);
        Assert.That(error.Key, Is.EqualTo(key), error.Message);
        Assert.That(error.Message, Does.Contain(problem));
    }

    [Test]
    public void Defaults_EveryResponseKey_WrittenWithItsTextAndAComment()
    {
        var lines = RulesFile.Defaults.Split('\n');
        var section = Array.IndexOf(lines, "responses:");

        Assert.That(section, Is.GreaterThan(0));
        foreach (var key in AlertResponses.Keys)
        {
            var at = Array.FindIndex(lines, section, l => l.StartsWith($"  {key}: \"", StringComparison.Ordinal));
            Assert.That(at, Is.GreaterThan(section), key);
            Assert.That(lines[at - 1], Does.StartWith("  # "), key);
        }
    }

    [Test]
    public void Parse_WrittenText_ReadsBackAsItself()
    {
        const string text = "Say \"fire\" twice;\ta \\ path\nand a second line {source}";
        var written = RulesFile.Parse($"responses:\n  fire.smoke-alarm: {System.Text.Json.JsonSerializer.Serialize(text)}\n", File);
        var setting = written.Settings["responses.fire.smoke-alarm"];

        var again = RulesFile.Parse($"responses:\n  fire.smoke-alarm: {setting}\n", File);

        Assert.That(again.Detection.Responses.Text("fire.smoke-alarm"), Is.EqualTo(text));
    }

    [Test]
    public void ChangesFrom_ChangedText_OneLine()
    {
        var before = RulesFile.Parse("", File);
        var after = RulesFile.Parse("responses:\n  water.pipe-burst: Close valve V7.\n", File);

        Assert.That(after.ChangesFrom(before), Is.EqualTo(new[] { "responses.water.pipe-burst: (default) -> \"Close valve V7.\"" }));
    }
}
