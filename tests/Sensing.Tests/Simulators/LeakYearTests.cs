using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.Leaks;

namespace Sensing.Tests.Simulators;

[TestFixture]
public sealed class LeakYearTests
{
    private static readonly LeakScenarioOptions Options = new() { Seed = 7, Days = 120, IntervalSeconds = 900, Districts = 6 };

    [Test]
    public void Generate_SameSeed_SameYear()
    {
        var a = LeakYear.Generate(Options);
        var b = LeakYear.Generate(Options);
        Assert.That(b.Leaks, Is.EqualTo(a.Leaks));
        Assert.That(b.Readings.Select(r => r.Metrics[0].Value).Take(5000), Is.EqualTo(a.Readings.Select(r => r.Metrics[0].Value).Take(5000)));
    }

    [Test]
    public void Generate_InletOnly_LeaksOfTwoToFifteenPercentAfterLearning()
    {
        var year = LeakYear.Generate(Options);
        var first = Options.Start.ToUnixTimeMilliseconds() + (Options.FirstLeakDay * 86_400_000L);
        Assert.Multiple(() =>
        {
            Assert.That(year.Devices.All(d => d.Kind == DeviceKind.WaterFlow && d.Parameters.Get("role", "") == "inlet"), Is.True);
            Assert.That(year.Leaks.Select(l => l.District).Distinct().Count(), Is.EqualTo(Options.Districts), "every district leaks at least once");
            Assert.That(year.Leaks.All(l => l.Fraction is >= 0.02 and <= 0.15 && l.StartMs >= first && l.FullMs > l.StartMs), Is.True);
            Assert.That(year.Leaks.Any(l => l.Kind == LeakKind.Incipient && l.FullMs - l.StartMs >= 7 * 86_400_000L), Is.True);
            Assert.That(year.Leaks.Any(l => l.Kind == LeakKind.Abrupt && l.FullMs - l.StartMs <= 1_800_000), Is.True);
        });
    }

    [Test]
    public void Generate_Town_ManyLeaksOfTwoToEightPercentThroughOneInlet()
    {
        var options = LeakScenarioOptions.Town(seed: 7, intervalSeconds: 900) with { Days = 120 };
        var year = LeakYear.Generate(options);
        var perTown = year.Leaks.GroupBy(l => l.District).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(options.Family, Is.EqualTo("15min-town"));
            Assert.That(year.Devices, Has.Count.EqualTo(options.Districts), "one inlet meter per town, nothing else");
            Assert.That(perTown, Has.Count.EqualTo(options.Districts));
            Assert.That(perTown.Select(g => g.Count()), Is.All.InRange(8, 16));
            Assert.That(year.Leaks.All(l => l.Fraction is >= 0.02 and <= 0.08), Is.True);
        });
    }

    [TestCase(4, 2, 0.02, 0.08, "leaks per district")]
    [TestCase(1, 3, 0.1, 0.05, "leak size")]
    [TestCase(1, 3, 0, 0.05, "leak size")]
    public void Generate_BadRanges_Throw(int minLeaks, int maxLeaks, double minFraction, double maxFraction, string named)
    {
        var options = Options with { MinLeaks = minLeaks, MaxLeaks = maxLeaks, MinLeakFraction = minFraction, MaxLeakFraction = maxFraction };
        Assert.That(() => LeakYear.Generate(options), Throws.ArgumentException.With.Message.Contains(named));
    }

    [Test]
    public void Generate_QuietCity_SameLeaksUnderLessDemandNoise()
    {
        var normal = LeakYear.Generate(Options);
        var quietOptions = Options with { DemandNoiseScale = 0.25, WeatherScale = 0.5 };
        var quiet = LeakYear.Generate(quietOptions);
        var still = LeakYear.Generate(Options with { DemandNoiseScale = 0, WeatherScale = 0 });

        // The same seed draws the same readings (times, gaps, leaks, the meter's own noise): how far a year's readings
        // are from those of a city with no demand noise and no weather is what its noise adds.
        static double Off(LeakYear year, LeakYear still) =>
            year.Readings.Zip(still.Readings, (a, b) => Math.Abs(a.Metrics[0].Value - b.Metrics[0].Value)).Average();

        Assert.Multiple(() =>
        {
            Assert.That(quiet.Leaks, Is.EqualTo(normal.Leaks), "the same seed draws the same leaks");
            Assert.That(quiet.Readings, Has.Count.EqualTo(normal.Readings.Count));
            Assert.That(quietOptions.Family, Is.EqualTo("15min-inlet-quiet"));
            Assert.That(Off(quiet, still), Is.GreaterThan(0).And.LessThan(0.5 * Off(normal, still)), "a quarter of the demand noise, half the weather");
        });
    }

    [TestCase(-0.5, 1)]
    [TestCase(1, double.PositiveInfinity)]
    public void Generate_BadNoiseScale_Throws(double noise, double weather)
    {
        var options = Options with { DemandNoiseScale = noise, WeatherScale = weather };
        Assert.That(() => LeakYear.Generate(options), Throws.ArgumentException.With.Message.Contains("noise scales"));
    }

    [Test]
    public void Generate_Meters_HaveGapsAndStuckValues()
    {
        var year = LeakYear.Generate(Options);
        var meter = year.Devices[0];
        var readings = year.Readings.Where(r => r.Device == meter).ToList();
        var expected = Options.Days * 96;
        var repeats = 0;
        for (var i = 1; i < readings.Count; i++)
        {
            repeats += readings[i].Metrics[0].Value == readings[i - 1].Metrics[0].Value ? 1 : 0;
        }

        Assert.Multiple(() =>
        {
            Assert.That(readings, Has.Count.LessThan(expected), "outages leave gaps");
            Assert.That(repeats, Is.GreaterThan(4), "a stuck register repeats its value");
            Assert.That(readings.All(r => r.Metrics[0].Metric == Metric.WaterFlow && r.Metrics[0].Value > 0), Is.True);
        });
    }

    [Test]
    public void LeakScore_AlarmInsideWindow_DetectsAndOutsideIsFalse()
    {
        var day = 86_400_000L;
        var leak = new LeakTruth("d1", LeakKind.Incipient, 10 * day, 20 * day, 0.05, 5);
        var score = LeakScore.Compute([leak],
            [new LeakAlarm("d1", 5 * day, "x"), new LeakAlarm("d1", 26 * day, "x"), new LeakAlarm("d1", 28 * day, "x"), new LeakAlarm("d2", 12 * day, "x")],
            TimeSpan.FromDays(7));
        Assert.Multiple(() =>
        {
            Assert.That(score.Detected, Is.EqualTo(1));
            Assert.That(score.Outcomes[0].TimeToDetection, Is.EqualTo(TimeSpan.FromDays(16)), "raised 6 days after full size: inside the grace");
            Assert.That(score.FalseAlarms.Select(a => a.RaisedAtMs), Is.EqualTo(new[] { 5 * day, 12 * day, 28 * day }));
        });
    }
}
