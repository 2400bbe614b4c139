using NUnit.Framework;
using Sensing.Rules.Schema;

namespace Sensing.Tests.Rules;

[TestFixture]
public sealed class DurationTextTests
{
    [TestCase("500ms", 500)]
    [TestCase("30s", 30_000)]
    [TestCase("5m", 300_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("7d", 604_800_000)]
    [TestCase("0", 0)]
    [TestCase("-1s", -1_000)]
    [TestCase("00:15:00", 900_000)]
    public void TryParse_Written_ReadsTheDuration(string text, long ms)
    {
        Assert.That(DurationText.TryParse(text, out var value, out var problem), Is.True, problem);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(ms)));
    }

    [TestCase("5")]
    [TestCase("m")]
    [TestCase("30m1h")]
    [TestCase("1h1h")]
    [TestCase("5 min")]
    [TestCase("")]
    public void TryParse_NotADuration_False(string text)
    {
        Assert.That(DurationText.TryParse(text, out _, out var problem), Is.False);
        Assert.That(problem, Does.Contain(text.Length > 0 ? text : "''"));
    }

    [TestCase(0, "0s")]
    [TestCase(15_000, "15s")]
    [TestCase(86_400_000, "24h")]
    [TestCase(604_800_000, "7d")]
    [TestCase(5_400_000, "1h30m")]
    [TestCase(1_500, "1s500ms")]
    public void Format_Duration_ShortestTextThatReadsBack(long ms, string text)
    {
        Assert.That(DurationText.Format(TimeSpan.FromMilliseconds(ms)), Is.EqualTo(text));
        Assert.That(DurationText.TryParse(text, out var back, out _) && back == TimeSpan.FromMilliseconds(ms), Is.True);
    }
}
