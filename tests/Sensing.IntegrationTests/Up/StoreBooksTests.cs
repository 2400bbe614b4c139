using NUnit.Framework;
using Sensing.Core.Telemetry;
using Sensing.Up;

namespace Sensing.IntegrationTests.Up;

/// <summary>The store's books against hand-made minutes (no servers).</summary>
[TestFixture]
public sealed class StoreBooksTests
{
    private const long M0 = 1_764_590_400_000; // 2025-12-01T12:00:00Z, a whole minute
    private const long Minute = 60_000;

    [Test]
    public void Compare_MinuteCountedTwiceMissingMinuteAndOpenEdge_EachCountedApart()
    {
        var kafka = new Dictionary<MetricMinute, long>
        {
            // Device 0: two minutes the store holds exactly.
            [new(0, M0, Metric.GasFlow)] = 6,
            [new(0, M0, Metric.BatteryVolts)] = 1,
            [new(0, M0 + Minute, Metric.GasFlow)] = 6,
            // Device 1: a minute the store counts twice (a replay added its readings again).
            [new(1, M0, Metric.MethaneLel)] = 2,
            // Device 2: a closed minute the store never got.
            [new(2, M0, Metric.Pressure)] = 3,
            // Device 2: the last minute, which the run ended in and the store sink has not closed.
            [new(2, M0 + (2 * Minute), Metric.Pressure)] = 4,
        };
        var store = new Dictionary<MetricMinute, StoredCount>
        {
            [new(0, M0, Metric.GasFlow)] = new(6, 1),
            [new(0, M0, Metric.BatteryVolts)] = new(1, 1),
            [new(0, M0 + Minute, Metric.GasFlow)] = new(6, 2),
            [new(1, M0, Metric.MethaneLel)] = new(4, 1),
        };

        var books = StoreBooks.Compare(kafka, store, sealedUntilMs: M0 + (2 * Minute) + 30_000, n => $"dev-{n}");

        Assert.That(books.Minutes, Is.EqualTo(4), "device 0's two minutes, device 1's, device 2's first");
        Assert.That(books.Over, Is.EqualTo(1));
        Assert.That(books.OverReadings, Is.EqualTo(2));
        Assert.That(books.Under, Is.EqualTo(1));
        Assert.That(books.UnderReadings, Is.EqualTo(3));
        Assert.That(books.Unstored, Is.EqualTo(3), "device 2's closed minute is in no stored minute");
        Assert.That(books.OpenMinutes, Is.EqualTo(1));
        Assert.That(books.OpenReadings, Is.EqualTo(4));
        Assert.That(books.Rewritten, Is.EqualTo(1), "device 0's second minute has two points with the same count");
        Assert.That(books.Balanced, Is.False);
        Assert.That(books.Examples, Is.EqualTo(new[] { "dev-1 12:00Z store 4 kafka 2", "dev-2 12:00Z store 0 kafka 3" }));
    }

    [Test]
    public void Compare_OneMetricShortInAMinute_MinuteUnder()
    {
        var kafka = new Dictionary<MetricMinute, long> { [new(0, M0, Metric.GasFlow)] = 2, [new(0, M0, Metric.BatteryVolts)] = 2 };
        var store = new Dictionary<MetricMinute, StoredCount> { [new(0, M0, Metric.GasFlow)] = new(2, 1), [new(0, M0, Metric.BatteryVolts)] = new(1, 1) };

        var books = StoreBooks.Compare(kafka, store, M0 + Minute, n => $"dev-{n}");

        Assert.That((books.Minutes, books.Over, books.Under, books.UnderReadings), Is.EqualTo((1L, 0L, 1L, 0L)),
            "the reading count (the largest metric count) agrees, the battery count does not");
    }

    [Test]
    public void Compare_StoreMinuteTheTopicNeverHad_Over()
    {
        var store = new Dictionary<MetricMinute, StoredCount> { [new(3, M0, Metric.Level)] = new(1, 1) };

        var books = StoreBooks.Compare(new Dictionary<MetricMinute, long>(), store, M0, n => $"dev-{n}");

        Assert.That((books.Minutes, books.Over, books.OverReadings, books.Balanced), Is.EqualTo((1L, 1L, 1L, false)));
    }

    [Test]
    public void Compare_EverythingStoredOnce_Balanced()
    {
        var kafka = new Dictionary<MetricMinute, long> { [new(0, M0, Metric.GasFlow)] = 5, [new(1, M0 + Minute, Metric.GasFlow)] = 1 };
        var store = kafka.ToDictionary(k => k.Key, k => new StoredCount(k.Value, 1));

        var books = StoreBooks.Compare(kafka, store, M0 + (2 * Minute), n => $"dev-{n}");

        Assert.That((books.Minutes, books.Over, books.Under, books.OpenMinutes, books.Balanced), Is.EqualTo((2L, 0L, 0L, 0L, true)));
    }
}
