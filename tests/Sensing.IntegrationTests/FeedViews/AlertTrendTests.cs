using Sensing.Core.Alerts;
using Sensing.Detection;
using Sensing.Feed;

namespace Sensing.IntegrationTests.FeedViews;

/// <summary>What the trend endpoint reads and how it reads the store's answer, without servers.</summary>
[TestFixture]
public sealed class AlertTrendTests
{
    private const long Raised = 1_764_000_000_000;

    private static AlertSummary Alert(string source, string condition, string district, long? cleared = null, string[]? devices = null) => new()
    {
        Id = "a-1", Type = cleared is null ? AlertEventType.Raised : AlertEventType.Cleared, State = cleared is null ? "active" : "cleared",
        Source = source, Condition = condition, Severity = AlertSeverity.High, District = district, DeviceKind = source == district ? "" : "methane-detector",
        RaisedAtMs = Raised, EventTimeMs = cleared ?? Raised, ClearedAtMs = cleared, Devices = devices,
    };

    [Test]
    public void For_MethaneAlert_ThresholdsOfTheDeviceAndWindowAroundTheRaise()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Devices = new Dictionary<string, OptionsChange> { ["md-tunnel"] = o => o with { Methane = o.Methane with { Level1Lel = 20 } } },
            },
        };

        var plan = TrendPlan.For(Alert("md-tunnel", "gas.methane-high", "d07"), options, Raised + 60_000);
        var other = TrendPlan.For(Alert("md-street", "gas.methane-high", "d07"), options, Raised + 60_000);

        Assert.That((plan.Metric, plan.Unit, plan.Falling), Is.EqualTo(("lel", "%LEL", false)));
        Assert.That(plan.Devices, Is.EqualTo(new[] { "md-tunnel" }));
        Assert.That(plan.Thresholds.Select(t => (t.Name, t.Value, t.Severity)), Is.EqualTo(new (string, double, AlertSeverity?)[]
        {
            ("clears below", 15, null), ("level 1", 20, AlertSeverity.High), ("level 2", 50, AlertSeverity.Critical),
        }));
        Assert.That(other.Thresholds.Select(t => t.Value), Is.EqualTo(new double[] { 20, 25, 50 }), "the city's limits elsewhere");
        Assert.That(plan.FromMs, Is.EqualTo(Raised - 600_000), "10 minutes before the raise");
        Assert.That(plan.ToMs, Is.EqualTo(Raised + 60_000), "never after now");
    }

    [Test]
    public void For_ClearedAlert_EndsFiveMinutesAfterTheClear()
    {
        var plan = TrendPlan.For(Alert("md-1", "gas.methane-high", "d07", cleared: Raised + 120_000), DetectionOptions.Default, Raised + 3_600_000);

        Assert.That(plan.ToMs, Is.EqualTo(Raised + 120_000 + 300_000));
    }

    [Test]
    public void For_AlertActiveForDays_ShowsItsFirstSixHours()
    {
        var plan = TrendPlan.For(Alert("md-1", "gas.methane-high", "d07"), DetectionOptions.Default, Raised + (3 * 86_400_000L));

        Assert.That(plan.ToMs - plan.FromMs, Is.EqualTo(6 * 3_600_000L));
    }

    [Test]
    public void For_DistrictAlert_ReadsItsMemberDevicesUpToTwenty()
    {
        var members = Enumerable.Range(0, 25).Select(i => $"wp-{i:D2}").ToArray();

        var plan = TrendPlan.For(Alert("d03", "water.low-pressure", "d03", devices: members), DetectionOptions.Default, Raised);
        var withoutMembers = TrendPlan.For(Alert("d03", "water.pipe-burst", "d03"), DetectionOptions.Default, Raised);

        Assert.That(plan.Devices, Is.EqualTo(members.Take(TrendPlan.MaxSeries)));
        Assert.That((plan.Metric, plan.Falling), Is.EqualTo(("pressure", true)));
        Assert.That(plan.Thresholds.Select(t => t.Value), Is.EqualTo(new[] { 0.14, 0.16 }).Within(1e-9), "alarm below 0.14 MPa, clears 2 % of span above");
        Assert.That((withoutMembers.Devices.Count, withoutMembers.District, withoutMembers.Metric), Is.EqualTo((0, "d03", "water_flow")));
        Assert.That(StoreTrendReader.Selector("sensing_reading_water_flow", withoutMembers), Is.EqualTo("sensing_reading_water_flow{district=\"d03\"}"));
    }

    [Test]
    public void For_ConditionWithoutAValue_NoMetric()
    {
        var plan = TrendPlan.For(Alert("cp-1", "charger.out-of-service", "d01"), DetectionOptions.Default, Raised);

        Assert.That((plan.Metric, plan.Thresholds.Count), Is.EqualTo(((string?)null, 0)));
    }

    [Test]
    public void Selector_DeviceIdsWithDots_EscapedInTheRegex()
    {
        var plan = new TrendPlan("lel", "%LEL", false, ["md.1", "md-2"], null, 0, 1, []);

        Assert.That(StoreTrendReader.Selector("sensing_reading_lel", plan), Is.EqualTo("sensing_reading_lel{device=~\"md\\\\.1|md-2\"}"));
    }

    [Test]
    public void Parse_ExportLines_OneSeriesPerDeviceInTimeOrderWithinTheWindow()
    {
        const string body = """
            {"metric":{"__name__":"sensing_reading_lel","device":"md-2","district":"d07"},"values":[3,4],"timestamps":[2000,1000]}
            {"metric":{"__name__":"sensing_reading_lel","device":"md-1","district":"d07"},"values":[31.5,"NaN",9],"timestamps":[1500,1600,9000]}
            {"metric":{"__name__":"sensing_reading_lel","device":"md-2","district":"d07","kind":"x"},"values":[5],"timestamps":[1200]}
            """;

        var series = StoreTrendReader.Parse(body, 1000, 5000, 20);

        Assert.That(series.Select(s => s.Device), Is.EqualTo(new[] { "md-1", "md-2" }));
        Assert.That(series[0].Times, Is.EqualTo(new long[] { 1500 }), "NaN and points after the window dropped");
        Assert.That(series[0].Values, Is.EqualTo(new[] { 31.5 }));
        Assert.That(series[1].Times, Is.EqualTo(new long[] { 1000, 1200, 2000 }));
        Assert.That(series[1].Values, Is.EqualTo(new double[] { 4, 5, 3 }));
        Assert.That(StoreTrendReader.Parse(body, 1000, 5000, 1).Select(s => s.Device), Is.EqualTo(new[] { "md-1" }));
    }
}
