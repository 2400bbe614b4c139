using NUnit.Framework;
using Sensing.Simulators.Backtest;
using Sensing.Simulators.Truth;

namespace Sensing.Tests.Simulators;

public sealed class TruthTests
{
    private const long T0 = 1_767_571_200_000;
    private const long Minute = 60_000;
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("truth-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void TruthFile_WriteThenRead_SameEntries()
    {
        var path = Path.Combine(_dir, "truth.csv");
        TruthEntry[] entries =
        [
            new("pipe-burst", "d01", T0, T0 + (360 * Minute), "water.pipe-burst"),
            new("single-spike", "wp-000005", T0, T0 + (10 * Minute), "none"),
        ];
        TruthFile.Write(path, entries);
        Assert.That(TruthFile.Read(path), Is.EqualTo(entries));
    }

    [TestCase("kind,source,start,end,expected_condition\npipe-burst,d01,2026-01-05T10:00:00Z,2026-01-05T09:00:00Z,water.pipe-burst", "truth.csv:2: end")]
    [TestCase("kind,source,start,end,expected_condition\npipe-burst,d01,2026-01-05T10:00:00Z,2026-01-05T11:00:00Z,water.pipe-bust", "truth.csv:2: expected_condition 'water.pipe-bust'")]
    [TestCase("kind,source,start,end,expected_condition\npipe-burst,d01,yesterday,2026-01-05T11:00:00Z,water.pipe-burst", "truth.csv:2: start and end")]
    [TestCase("kind,source,start,end\n", "truth.csv:1: expected the header")]
    [TestCase("kind,source,start,end,expected_condition\n\npipe-burst,d01,2026-01-05T10:00:00Z", "truth.csv:3: expected 5 columns, found 3")]
    public void TruthFile_BadLine_ErrorNamesFileLineAndProblem(string content, string expected)
    {
        var path = Path.Combine(_dir, "truth.csv");
        File.WriteAllText(path, content);
        var e = Assert.Throws<FormatException>(() => TruthFile.Read(path));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void Score_AlertInsideWindowWithExpectedCondition_TruePositiveWithTimeToDetection()
    {
        var score = DetectionScore.Compute(
            [new("pipe-burst", "d01", T0, T0 + (60 * Minute), "water.pipe-burst")],
            [Alert("d01", "water.pipe-burst", T0 + (12 * Minute))]);
        Assert.That(score.TruePositives, Is.EqualTo(1));
        Assert.That(score.Missed, Is.Zero);
        Assert.That(score.FalsePositives, Is.Empty);
        Assert.That(score.Outcomes[0].TimeToDetection, Is.EqualTo(TimeSpan.FromMinutes(12)));
        Assert.That(score.Kinds.Single().MedianTimeToDetection, Is.EqualTo(TimeSpan.FromMinutes(12)));
    }

    [Test]
    public void Score_AlertBeforeWindowOrWrongCondition_MissedAndFalsePositives()
    {
        var score = DetectionScore.Compute(
            [new("low-pressure", "wp-1", T0, T0 + (60 * Minute), "water.low-pressure")],
            [Alert("wp-1", "water.low-pressure", T0 - Minute), Alert("wp-1", "water.pipe-burst", T0 + Minute), Alert("wp-2", "water.low-pressure", T0 + Minute)]);
        Assert.That(score.TruePositives, Is.Zero);
        Assert.That(score.Missed, Is.EqualTo(1));
        Assert.That(score.FalsePositives, Has.Count.EqualTo(3));
        Assert.That(score.Kinds.Single().MedianTimeToDetection, Is.Null);
    }

    [Test]
    public void Score_AlertOnTrap_FalsePositiveOnTrap()
    {
        var score = DetectionScore.Compute(
            [new("single-spike", "wp-5", T0, T0 + (10 * Minute), "none")],
            [Alert("wp-5", "water.low-pressure", T0 + Minute)]);
        Assert.That(score.FalsePositives, Has.Count.EqualTo(1));
        Assert.That(score.FalsePositivesOnTraps.Count(), Is.EqualTo(1));
        Assert.That(score.Kinds, Is.Empty, "traps are not incident kinds");
    }

    [Test]
    public void Score_ThreeIncidentsOfAKind_MedianOfDetectedOnes()
    {
        var score = DetectionScore.Compute(
            [
                new("methane-level1", "md-1", T0, T0 + (20 * Minute), "gas.methane-high"),
                new("methane-level1", "md-2", T0, T0 + (20 * Minute), "gas.methane-high"),
                new("methane-level1", "md-3", T0, T0 + (20 * Minute), "gas.methane-high"),
            ],
            [Alert("md-1", "gas.methane-high", T0 + Minute), Alert("md-2", "gas.methane-high", T0 + (5 * Minute)), Alert("md-2", "gas.methane-high", T0 + (6 * Minute))]);
        var kind = score.Kinds.Single();
        Assert.That((kind.Count, kind.Detected, kind.Missed), Is.EqualTo((3, 2, 1)));
        Assert.That(kind.MedianTimeToDetection, Is.EqualTo(TimeSpan.FromMinutes(3)));
        Assert.That(score.FalsePositives, Has.Count.EqualTo(1), "a second alert on an already detected incident is not a detection");
    }

    [Test]
    public void AlertLines_WriteThenRead_SameAlerts()
    {
        var path = Path.Combine(_dir, "alerts.jsonl");
        AlertRecord[] alerts = [Alert("md-1", "gas.methane-high", T0) with { ClearedAtMs = T0 + Minute }, Alert("d01", "water.pipe-burst", T0 + 5)];
        AlertLines.Write(path, alerts);
        Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(2));
        Assert.That(File.ReadAllLines(path)[1], Does.Contain("\"clearedAt\":null").And.Contain("\"raisedAt\":\"2026-01-05T00:00:00.005Z\""));
        Assert.That(AlertLines.Read(path), Is.EqualTo(alerts));
    }

    private static AlertRecord Alert(string source, string condition, long raisedAt) =>
        new($"a-{source}-{condition}-{raisedAt}", source, condition, "High", raisedAt, null);
}
