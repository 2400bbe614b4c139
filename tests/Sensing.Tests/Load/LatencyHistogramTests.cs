using NUnit.Framework;
using Sensing.Simulators.Load;

namespace Sensing.Tests.Load;

[TestFixture]
public sealed class LatencyHistogramTests
{
    [Test]
    public void Percentile_Empty_Zero()
    {
        var histogram = new LatencyHistogram();
        Assert.That(histogram.Percentile(50), Is.Zero);
        Assert.That(histogram.Percentile(99), Is.Zero);
        Assert.That(histogram.Count, Is.Zero);
    }

    [Test]
    public void Percentile_SmallValues_Exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 100; v++)
        {
            histogram.Record(v);
        }

        Assert.That(histogram.Percentile(50), Is.EqualTo(50));
        Assert.That(histogram.Percentile(99), Is.EqualTo(99));
        Assert.That(histogram.Percentile(100), Is.EqualTo(100));
        Assert.That(histogram.Percentile(0), Is.EqualTo(1));
    }

    [Test]
    public void Percentile_UniformOneToMillion_WithinOnePointSixPercentAbove()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        foreach (var (p, exact) in new[] { (50.0, 500_000L), (90.0, 900_000L), (99.0, 990_000L), (99.9, 999_000L) })
        {
            var reported = histogram.Percentile(p);
            Assert.That(reported, Is.GreaterThanOrEqualTo(exact), $"p{p}");
            Assert.That(reported, Is.LessThanOrEqualTo(exact + (exact / 64)), $"p{p}");
        }

        Assert.That(histogram.Max, Is.EqualTo(1_000_000));
        Assert.That(histogram.Percentile(100), Is.EqualTo(1_000_000));
    }

    [Test]
    public void Percentile_Bimodal_SplitsAtTheRightRank()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 980; i++)
        {
            histogram.Record(1_000);
        }

        for (var i = 0; i < 20; i++)
        {
            histogram.Record(250_000);
        }

        Assert.That(histogram.Percentile(50), Is.InRange(1_000, 1_015));
        Assert.That(histogram.Percentile(98), Is.InRange(1_000, 1_015));
        Assert.That(histogram.Percentile(99), Is.InRange(250_000, 250_000 + (250_000 / 64)));
    }

    [Test]
    public void Record_OutOfRange_ClampedToEnds()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);
        Assert.That(histogram.Count, Is.EqualTo(2));
        Assert.That(histogram.Percentile(50), Is.Zero);
        Assert.That(histogram.Max, Is.EqualTo(LatencyHistogram.MaxTrackable));
        Assert.That(histogram.Percentile(100), Is.EqualTo(LatencyHistogram.MaxTrackable));
    }

    [Test]
    public void Minus_EarlierSnapshot_OnlyLaterValues()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.Record(10);
        }

        var before = histogram.Snapshot();
        for (var i = 0; i < 50; i++)
        {
            histogram.Record(5_000);
        }

        var interval = histogram.Minus(before);
        Assert.That(before.Count, Is.EqualTo(100));
        Assert.That(interval.Count, Is.EqualTo(50));
        Assert.That(interval.Percentile(1), Is.InRange(5_000, 5_000 + (5_000 / 64)));
        Assert.That(histogram.Percentile(50), Is.EqualTo(10));
    }

    [Test]
    public void Record_FromManyThreads_NoValueLost()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                histogram.Record(i % 1000);
            }
        });

        Assert.That(histogram.Count, Is.EqualTo(800_000));
        Assert.That(histogram.Max, Is.EqualTo(999));
    }

    [Test]
    public void TryParse_ShardsWrittenAsTextAndAdded_SamePercentilesAsOneHistogram()
    {
        var whole = new LatencyHistogram();
        var shards = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        var random = new Random(5);
        for (var i = 0; i < 30_000; i++)
        {
            var value = (long)Math.Exp(random.NextDouble() * 14);
            whole.Record(value);
            shards[i % 3].Record(value);
        }

        var merged = new LatencyHistogram();
        foreach (var shard in shards)
        {
            Assert.That(LatencyHistogram.TryParse(shard.ToString(), out var read), Is.True);
            merged.Add(read!);
        }

        Assert.That(merged.Count, Is.EqualTo(whole.Count));
        Assert.That(merged.Max, Is.EqualTo(whole.Max));
        Assert.That(merged.Percentile(50), Is.EqualTo(whole.Percentile(50)));
        Assert.That(merged.Percentile(99), Is.EqualTo(whole.Percentile(99)));
    }

    [TestCase("")]
    [TestCase("12")]
    [TestCase("12:3")]
    [TestCase("12:3=x")]
    [TestCase("12:999999=1")]
    public void TryParse_NotAHistogramText_False(string text) =>
        Assert.That(LatencyHistogram.TryParse(text, out _), Is.False);
}
