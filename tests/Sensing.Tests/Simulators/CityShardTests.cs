using NUnit.Framework;
using Sensing.Core.Telemetry;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;

namespace Sensing.Tests.Simulators;

public sealed class CityShardTests
{
    private static readonly long Monday = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    [Test]
    public void Simulation_ThreeShardsOfOneCity_TogetherGiveExactlyTheWholeCitysReadings()
    {
        // Incidents on: their per-device state (a rupture's first reading, a one-off battery dip) must follow the shard.
        var options = CityOptions.Default with { Devices = 300, Districts = 4, ReportSecondsOverride = 60 };
        var whole = Readings(options, CityShard.Whole);
        var shards = Enumerable.Range(0, 3).Select(i => Readings(options, new CityShard(i, 3))).ToList();

        Assert.That(whole, Has.Count.GreaterThan(10_000));
        Assert.That(shards.Select(s => s.Count), Is.All.GreaterThan(whole.Count / 4), "every shard carries a fair part");
        Assert.That(shards.SelectMany(s => s).Order(StringComparer.Ordinal), Is.EqualTo(whole.Order(StringComparer.Ordinal)));
        Assert.That(shards[0].Intersect(shards[1]), Is.Empty);
    }

    [Test]
    public void DeviceCount_SplitsTheRemainderOverTheFirstShards()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 100, Districts = 2 });
        var counts = Enumerable.Range(0, 3).Select(i => new CityShard(i, 3).DeviceCount(city)).ToList();
        Assert.That(counts.Sum(), Is.EqualTo(city.Devices.Count));
        Assert.That(counts, Is.EqualTo(Enumerable.Range(0, 3).Select(i => city.Devices.Count(d => new CityShard(i, 3).Contains(d)))));
    }

    [TestCase("1/4", 1, 4)]
    [TestCase("0/1", 0, 1)]
    public void Parse_IndexSlashCount_Shard(string text, int index, int count) =>
        Assert.That(CityShard.Parse(text, "--shard"), Is.EqualTo(new CityShard(index, count)));

    [TestCase("4/4", "index must be 0-3")]
    [TestCase("0/0", "count must be 1-1000")]
    [TestCase("2", "is not i/n")]
    [TestCase("-1/2", "is not i/n")]
    public void Parse_BadShard_ThrowsNamingOptionAndProblem(string text, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => CityShard.Parse(text, "--shard"))!;
        Assert.That(error.Message, Does.StartWith("--shard:").And.Contain(problem));
    }

    private static List<string> Readings(CityOptions options, CityShard shard)
    {
        var city = CityModel.Create(options);
        var duration = TimeSpan.FromHours(8);
        IncidentPlan.Apply(city, Monday, duration);
        var simulation = new CitySimulation(city, Monday, Monday + (long)duration.TotalMilliseconds, shard);
        var metrics = new MetricValue[CityModel.MaxMetrics];
        var lines = new List<string>();
        while (simulation.TryNext(metrics, out var r))
        {
            lines.Add($"{r.Device.Info.Id} {r.TimeMs} {r.EventTimeMs} {r.Sequence} {string.Join(' ', metrics.Take(r.MetricCount).Select(v => $"{v.Metric}={v.Value}"))}");
        }

        return lines;
    }
}
