using Sensing.Core.Alerts;
using Sensing.Feed;

namespace Sensing.IntegrationTests.Feed;

/// <summary>The board's alarm load and district counts, without servers, at a fixed clock.</summary>
[TestFixture]
public sealed class AlarmLoadTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowMs = Now.ToUnixTimeMilliseconds();

    private static AlertBoard Board(params AlertEvent[] events)
    {
        var board = new AlertBoard(FeedOptions.Default, new FixedClock(Now));
        foreach (var e in events)
        {
            board.Apply(e);
        }

        return board;
    }

    private static AlertEvent Raise(string source, long agoMs, AlertCondition condition = AlertCondition.MethaneHigh, string district = "d01", string[]? devices = null) =>
        FeedCity.Raise(source, condition, AlertSeverity.High, district, NowMs - agoMs, devices);

    [Test]
    public void MeasureAlarmLoad_RaisesOverADay_PerTenMinutesAverageAndPeak()
    {
        List<AlertEvent> events = [.. Enumerable.Range(0, 12).Select(i => Raise("md-now-" + i, agoMs: 30_000 + i * 1000))];
        events.Add(Raise("md-3h-a", agoMs: 3 * 3_600_000L));
        events.Add(Raise("md-3h-b", agoMs: 3 * 3_600_000L + 1000));
        events.Add(Raise("md-standing", agoMs: 25 * 3_600_000L));

        var load = Board([.. events]).MeasureAlarmLoad();

        Assert.That(load.Last10Minutes, Is.EqualTo(12));
        Assert.That(load.Last24Hours, Is.EqualTo(14), "the raise 25 h ago is outside the day");
        Assert.That(load.AveragePer10Minutes, Is.EqualTo(Math.Round(14 / 144.0, 2)));
        Assert.That(load.Peak10Minutes, Is.EqualTo(12));
        Assert.That(load.FloodIntervals, Is.EqualTo(1), "12 in 10 minutes is more than 10: a flood");
        Assert.That(load.Standing, Is.EqualTo(1));
        Assert.That(load.Active, Is.EqualTo(15));
        Assert.That(load.Chattering, Is.Empty, "every source raised once");
    }

    [TestCase(20_000, true)]
    [TestCase(29_000, true)]
    [TestCase(30_000, false)]
    public void MeasureAlarmLoad_ThreeRaisesOfOneSource_ChatteringWithin60Seconds(long spacingMs, bool chattering)
    {
        // Three raises of one source and condition, spacingMs apart: the first and the third 2 x spacingMs apart.
        var load = Board([.. Enumerable.Range(0, 3).Select(i => Raise("md-chatter", agoMs: 100_000 + i * spacingMs))]).MeasureAlarmLoad();

        Assert.That(load.Chattering.Any(c => c.Source == "md-chatter"), Is.EqualTo(chattering));
        Assert.That(load.MostFrequent[0], Is.EqualTo(new AlarmSource("md-chatter", "gas.methane-high", 3, 100.0)));
    }

    [Test]
    public void Districts_OutageWithMembers_CountedAndOtherAlertsApart()
    {
        var board = Board(
            Raise("d07", agoMs: 1000, AlertCondition.DeviceOffline, "d07", ["md-1", "md-2"]),
            Raise("md-1", agoMs: 5000, AlertCondition.DeviceOffline, "d07"),
            Raise("md-2", agoMs: 5000, AlertCondition.DeviceOffline, "d07"),
            Raise("md-1", agoMs: 9000, AlertCondition.MethaneHigh, "d07"),
            Raise("md-5", agoMs: 9000, AlertCondition.DeviceOffline, "d07"),
            Raise("md-9", agoMs: 9000, AlertCondition.DeviceOffline, "d08"));

        var d07 = board.Districts().Single(d => d.District == "d07");

        Assert.That(d07.High, Is.EqualTo(5));
        Assert.That(d07.Outages, Is.EqualTo(1));
        Assert.That(d07.OutageUnacknowledged, Is.EqualTo(3), "the outage and its two members' offline alerts, not md-5's");
        Assert.That(board.Districts().Single(d => d.District == "d08").Outages, Is.Zero, "a device's offline alert alone is no outage");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
