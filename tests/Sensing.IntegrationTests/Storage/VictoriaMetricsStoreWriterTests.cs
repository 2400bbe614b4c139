using System.Text.Json;
using NUnit.Framework;
using Sensing.Storage;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Storage;

/// <summary>StoreWriter against the real Debian victoria-metrics 1.79.5, started on a free port in a temp folder.</summary>
[TestFixture]
public sealed class VictoriaMetricsStoreWriterTests
{
    private const string Executable = "/usr/bin/victoria-metrics";

    // Fixed past timestamps (2023-11-14): inside -retentionPeriod=100y, so VictoriaMetrics keeps them.
    private const long T0 = 1_700_000_000_123;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private StoreServerProcess? _server;
    private string _url = "";

    [OneTimeSetUp]
    public async Task StartVictoriaMetrics()
    {
        var folder = Directory.CreateTempSubdirectory("sensing-vm-").FullName;
        var port = FreePorts.Pick();
        _url = $"http://127.0.0.1:{port}";
        _server = StoreServerProcess.Start(Executable, folder,
            $"-storageDataPath={Path.Combine(folder, "data")}", "-retentionPeriod=100y", $"-httpListenAddr=127.0.0.1:{port}");
        await _server.WaitUntilReadyAsync(_http, _url + "/health", TimeSpan.FromSeconds(30));
    }

    [OneTimeTearDown]
    public void StopVictoriaMetrics()
    {
        _server?.Dispose();
        _http.Dispose();
    }

    [Test]
    public async Task FlushAsync_RealVictoriaMetrics_ExportReturnsValuesAndMillisecondTimestamps()
    {
        await using (var writer = new StoreWriter(StoreWriterOptions.Default with { Url = _url }))
        {
            writer.TryAppend(0, static (w, _) =>
            {
                w.Measurement("it_gas"u8).Tag("device"u8, "md 0,1=x").Tag("district"u8, "laoshan"u8)
                    .Field("lel"u8, 12.5).Field("seq"u8, 42L).Field("valve"u8, true).EndLine(T0);
                w.Measurement("it_gas"u8).Tag("device"u8, "md 0,1=x").Tag("district"u8, "laoshan"u8)
                    .Field("lel"u8, -0.0625).Field("seq"u8, 43L).Field("valve"u8, false).EndLine(T0 + 1);
                // Extreme magnitudes get series of their own: VictoriaMetrics stores a block of samples as decimal
                // mantissas with one shared exponent, so 12.5 next to 1.5E+20 in one series would read back as 0.
                w.Measurement("it_gas"u8).Tag("device"u8, "md-2").Field("lel"u8, 1e-7).Field("nan"u8, double.NaN).EndLine(T0 + 1000);
                w.Measurement("it_gas"u8).Tag("device"u8, "md-3").Field("lel"u8, 1.5e20).EndLine(T0 + 2000);
            });
            await writer.FlushAsync();
            Assert.That(writer.Counters.PointsWritten, Is.EqualTo(4));
            Assert.That(writer.Counters.SkippedNonFiniteFields, Is.EqualTo(1));
        }

        var series = await ExportAsync("it_gas_.*", expectedSeries: 5, expectedPoints: 8);

        Assert.That(series.Keys, Is.EquivalentTo(new[]
        {
            "it_gas_lel{device=md 0,1=x,district=laoshan}",
            "it_gas_seq{device=md 0,1=x,district=laoshan}",
            "it_gas_valve{device=md 0,1=x,district=laoshan}",
            "it_gas_lel{device=md-2}",
            "it_gas_lel{device=md-3}",
        }), _server!.Log);
        Assert.That(series["it_gas_lel{device=md 0,1=x,district=laoshan}"], Is.EqualTo(new[] { (T0, 12.5), (T0 + 1, -0.0625) }));
        Assert.That(series["it_gas_seq{device=md 0,1=x,district=laoshan}"], Is.EqualTo(new[] { (T0, 42.0), (T0 + 1, 43.0) }));
        Assert.That(series["it_gas_valve{device=md 0,1=x,district=laoshan}"], Is.EqualTo(new[] { (T0, 1.0), (T0 + 1, 0.0) }));
        Assert.That(series["it_gas_lel{device=md-2}"], Is.EqualTo(new[] { (T0 + 1000, 1e-7) }));
        Assert.That(series["it_gas_lel{device=md-3}"], Is.EqualTo(new[] { (T0 + 2000, 1.5e20) }));
    }

    [Test]
    public async Task FlushAsync_RealVictoriaMetricsV2Api_AcceptsTokenAndBucket()
    {
        var options = StoreWriterOptions.Default with
        {
            Url = _url, Api = StoreApi.InfluxV2, Organization = "city", Bucket = "sensing", Token = "unused-by-vm",
        };
        await using (var writer = new StoreWriter(options))
        {
            writer.TryAppend("it_v2,device=ev-7 power=7.5 1700000000500\n"u8);
            await writer.FlushAsync();
        }

        var series = await ExportAsync("it_v2_.*", expectedSeries: 1, expectedPoints: 1);

        // VictoriaMetrics 1.79.5 ignores org and bucket on /api/v2/write (no label), unlike ?db= on /write.
        Assert.That(series.Keys, Is.EqualTo(new[] { "it_v2_power{device=ev-7}" }), _server!.Log);
        Assert.That(series["it_v2_power{device=ev-7}"], Is.EqualTo(new[] { (1_700_000_000_500L, 7.5) }));
    }

    // GET /api/v1/export?match[]={__name__=~"..."}: one JSON object per series and line. New samples become
    // searchable after a background flush (seconds); /internal/force_flush does it now, and polling covers the rest.
    private async Task<Dictionary<string, (long, double)[]>> ExportAsync(string nameRegex, int expectedSeries, int expectedPoints)
    {
        var query = Uri.EscapeDataString($"{{__name__=~\"{nameRegex}\"}}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var series = new Dictionary<string, (long, double)[]>();
        while (DateTime.UtcNow < deadline)
        {
            series.Clear();
            using (var flushed = await _http.GetAsync($"{_url}/internal/force_flush"))
            {
                flushed.EnsureSuccessStatusCode();
            }

            var body = await _http.GetStringAsync($"{_url}/api/v1/export?match[]={query}");
            foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = JsonDocument.Parse(line);
                var labels = json.RootElement.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                var name = labels["__name__"] + "{" + string.Join(",", labels.Where(l => l.Key != "__name__")
                    .OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                var timestamps = json.RootElement.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64());
                var values = json.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetDouble());
                series[name] = [.. timestamps.Zip(values).OrderBy(p => p.First)];
            }

            if (series.Count >= expectedSeries && series.Values.Sum(p => p.Length) >= expectedPoints)
            {
                return series;
            }

            await Task.Delay(250);
        }

        return series;
    }
}
