using NUnit.Framework;
using Sensing.Core.Alerts;

namespace Sensing.Tests.Alerts;

[TestFixture]
public sealed class AlertResponsesTests
{
    [Test]
    public void Default_EveryConditionAndSeverity_HasAText()
    {
        var missing = new List<string>();
        foreach (var condition in AlertConditions.All)
        {
            foreach (var severity in Enum.GetValues<AlertSeverity>())
            {
                var text = AlertResponses.Default.For(condition, severity);
                if (string.IsNullOrWhiteSpace(text) || text.Length < 40)
                {
                    missing.Add($"{condition.Name()} at {severity}");
                }
            }
        }

        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void Keys_EveryCondition_HasItsOwnKey()
    {
        Assert.That(AlertResponses.Keys, Is.SupersetOf(AlertConditions.All.Select(c => c.Name())));
        Assert.That(AlertResponses.Keys, Is.Unique);
    }

    [Test]
    public void Keys_SeverityVariants_NameAConditionAndASeverity()
    {
        var conditions = AlertConditions.All.Select(c => c.Name()).ToHashSet();
        var variants = AlertResponses.Keys.Where(k => !conditions.Contains(k)).ToList();

        Assert.That(variants, Is.Not.Empty);
        foreach (var key in variants)
        {
            var dot = key.LastIndexOf('.');
            Assert.That(AlertConditions.TryParse(key[..dot], out var condition), Is.True, key);
            Assert.That(Enum.TryParse<AlertSeverity>(key[(dot + 1)..], ignoreCase: true, out var severity), Is.True, key);
            Assert.That(AlertResponses.KeyOf(condition, severity), Is.EqualTo(key));
        }
    }

    [Test]
    public void For_SeverityVariant_WinsOverTheConditionsText()
    {
        var level1 = AlertResponses.Default.For(AlertCondition.MethaneHigh, AlertSeverity.High);
        var level2 = AlertResponses.Default.For(AlertCondition.MethaneHigh, AlertSeverity.Critical);

        Assert.That(level1, Is.EqualTo(AlertResponses.Default.Text("gas.methane-high")));
        Assert.That(level2, Is.EqualTo(AlertResponses.Default.Text("gas.methane-high.critical")));
        Assert.That(level2, Does.Contain("Evacuate"));
    }

    [Test]
    public void Default_FireTexts_SayWhoToCall()
    {
        var smoke = AlertResponses.Default.For(AlertCondition.SmokeAlarm, AlertSeverity.Critical);

        Assert.That(smoke, Does.Contain("119").And.Contain("{building}"));
        Assert.That(AlertResponses.Default.For(AlertCondition.MeterRupture, AlertSeverity.Critical), Does.Contain("{valveCommand}"));
    }

    [Test]
    public void Default_Validates()
    {
        Assert.DoesNotThrow(() => AlertResponses.Default.Validate());
    }

    [TestCase("  ", "must not be blank")]
    [TestCase("Call {someone}", "unknown placeholder {someone}")]
    public void Validate_BadText_NamesTheKey(string text, string problem)
    {
        var responses = AlertResponses.Default.With("fire.smoke-alarm", text);

        var error = Assert.Throws<ArgumentException>(() => responses.Validate());
        Assert.That(error!.ParamName, Is.EqualTo("fire.smoke-alarm"));
        Assert.That(error.Message, Does.Contain(problem));
    }

    [Test]
    public void With_LeavesTheOriginalAlone()
    {
        var changed = AlertResponses.Default.With("water.pipe-burst", "Close valve V7.");

        Assert.That(changed.Text("water.pipe-burst"), Is.EqualTo("Close valve V7."));
        Assert.That(AlertResponses.Default.Text("water.pipe-burst"), Is.Not.EqualTo("Close valve V7."));
        Assert.Throws<ArgumentException>(() => AlertResponses.Default.With("water.nothing", "x"));
    }

    [Test]
    public void Fill_KnownNames_ReplacedAndUnknownKept()
    {
        var text = AlertResponses.Fill("Alarm {source} in {building}; {other}", n => n switch
        {
            "source" => "sa-1",
            "building" => "Tower 3",
            _ => null,
        });

        Assert.That(text, Is.EqualTo("Alarm sa-1 in Tower 3; {other}"));
    }
}
