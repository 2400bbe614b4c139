namespace Sensing.IntegrationTests.Charts;

/// <summary>The name extraction the dashboard replay relies on; no servers.</summary>
[TestFixture]
public sealed class PromQlMetricNamesTests
{
    [TestCase("sum by (kind) (rate(sensing_gateway_readings_total{kind=~\"$kind\"}[1m]))", new[] { "sensing_gateway_readings_total" })]
    [TestCase("count_values(\"status\", last_over_time(sensing_reading_status[15m]))", new[] { "sensing_reading_status" })]
    [TestCase("a_total unless on (alert_id) b_total offset 5m", new[] { "a_total", "b_total" })]
    [TestCase("100 * avg without (device) (avg_over_time((x >= bool 0.14)[1h:10s]))", new[] { "x" })]
    [TestCase("histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m]))) / 1e3", new[] { "lat_bucket" })]
    public void Extract_Expression_NamesOnlyMetrics(string expression, string[] expected) =>
        Assert.That(PromQlMetricNames.Extract(expression).Names, Is.EquivalentTo(expected));

    [Test]
    public void Extract_NameMatchers_ReturnsPatternsApart()
    {
        var (names, patterns) = PromQlMetricNames.Extract("count({__name__=~\"sensing_reading_(lel|flow)\", kind=\"x\"}) + count({__name__=\"up\"})");
        Assert.That(names, Is.EquivalentTo(new[] { "up" }));
        Assert.That(patterns, Is.EquivalentTo(new[] { "sensing_reading_(lel|flow)" }));
        Assert.That(PromQlMetricNames.SpelledOut("sensing_reading_(lel|flow)"), Is.EqualTo(new[] { "sensing_reading_lel", "sensing_reading_flow" }));
        Assert.That(PromQlMetricNames.SpelledOut("sensing_reading_.+"), Is.Null);
    }

    [Test]
    public void Expand_RateIntervalAndMultiValueVariable_FormattedAsGrafanaDoes()
    {
        var variables = new[] { new TemplateVariable("district", "label_values(x, district)", Multi: true, IncludeAll: true, AllValue: ".*") };
        var to = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var query = new PanelQuery("d", "p", "A", "rate(x{district=~\"$district\"}[$__rate_interval]) / ($__interval_ms / 1000) [$__range]", false, 1000, null);
        var two = new GrafanaTemplate(to.AddHours(-6), to, TimeSpan.FromSeconds(10), variables,
            new Dictionary<string, VariableSelection> { ["district"] = new(false, ["d01", "d.2"]) });
        var all = new GrafanaTemplate(to.AddHours(-6), to, TimeSpan.FromSeconds(10), variables,
            new Dictionary<string, VariableSelection> { ["district"] = VariableSelection.AllValues });

        // 6 h over 1,000 points is 21.6 s, which Grafana rounds to 20 s; rate interval = max(20 s + 10 s, 4 x 10 s).
        Assert.That(two.Interval(query), Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(two.Expand(query), Is.EqualTo("rate(x{district=~\"(d01|d\\\\.2)\"}[40s]) / (20000 / 1000) [21600s]"));
        Assert.That(all.Expand(query), Does.StartWith("rate(x{district=~\".*\"}[40s])"));
    }
}
