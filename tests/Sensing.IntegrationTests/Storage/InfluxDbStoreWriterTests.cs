using System.Text.Json;
using NUnit.Framework;
using Sensing.LocalServers;
using Sensing.Storage;

namespace Sensing.IntegrationTests.Storage;

/// <summary>StoreWriter against the real Debian influxd 1.6.7, started by the local server harness on its own ports and folder.</summary>
[TestFixture]
public sealed class InfluxDbStoreWriterTests
{
    private const string Database = "sensing_it";
    private const long T0 = 1_700_000_000_123;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly LocalInfluxDb _server = new(LocalInfluxDbOptions.Default with { Databases = [Database] });
    private string _url = "";

    [OneTimeSetUp]
    public async Task StartInfluxDb()
    {
        await _server.StartAsync();
        _url = _server.BaseUrl;
    }

    [OneTimeTearDown]
    public async Task StopInfluxDb()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Test]
    public async Task FlushAsync_RealInfluxDb_QueryReturnsEveryFieldTypeAndEscapedTags()
    {
        var options = StoreWriterOptions.Default with { Url = _url, Api = StoreApi.InfluxV1, Database = Database };
        await using (var writer = new StoreWriter(options))
        {
            writer.TryAppend(0, static (w, _) =>
            {
                w.Measurement("alert event"u8).Tag("device"u8, "md 0,1=x").Tag("district"u8, "laoshan"u8)
                    .Field("value"u8, 12.5).Field("count"u8, 3L).Field("active"u8, true)
                    .StringField("message"u8, "LEL \"high\" at C:\\gate, 12.5 %").EndLine(T0);
                w.Measurement("alert event"u8).Tag("device"u8, "md-2"u8)
                    .Field("value"u8, 1.5e20).Field("count"u8, -7L).Field("active"u8, false)
                    .StringField("message"u8, ""u8).EndLine(T0 + 1);
            });
            await writer.FlushAsync();
            Assert.That(writer.Counters.PointsWritten, Is.EqualTo(2));
        }

        var rows = await QueryAsync("SELECT * FROM \"alert event\" ORDER BY time");

        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0]["time"].GetInt64(), Is.EqualTo(T0));
        Assert.That(rows[0]["device"].GetString(), Is.EqualTo("md 0,1=x"));
        Assert.That(rows[0]["district"].GetString(), Is.EqualTo("laoshan"));
        Assert.That(rows[0]["value"].GetDouble(), Is.EqualTo(12.5));
        Assert.That(rows[0]["count"].GetInt64(), Is.EqualTo(3));
        Assert.That(rows[0]["active"].GetBoolean(), Is.True);
        Assert.That(rows[0]["message"].GetString(), Is.EqualTo("LEL \"high\" at C:\\gate, 12.5 %"));
        Assert.That(rows[1]["time"].GetInt64(), Is.EqualTo(T0 + 1));
        Assert.That(rows[1]["device"].GetString(), Is.EqualTo("md-2"));
        Assert.That(rows[1]["value"].GetDouble(), Is.EqualTo(1.5e20));
        Assert.That(rows[1]["count"].GetInt64(), Is.EqualTo(-7));
        Assert.That(rows[1]["active"].GetBoolean(), Is.False);
        Assert.That(rows[1]["message"].GetString(), Is.EqualTo(""));
    }

    [Test]
    public async Task FlushAsync_RealInfluxDbUnknownDatabase_FailsFastWithInfluxMessage()
    {
        var options = StoreWriterOptions.Default with { Url = _url, Api = StoreApi.InfluxV1, Database = "no_such_db" };
        await using var writer = new StoreWriter(options);

        writer.TryAppend("m f=1i 1\n"u8);
        var error = Assert.ThrowsAsync<StoreWriteException>(() => writer.FlushAsync());

        Assert.That(error!.StatusCode, Is.EqualTo(404));
        Assert.That(error.IsTransient, Is.False);
        Assert.That(error.Message, Does.Contain("database not found"));
        Assert.That(writer.Counters.Retries, Is.Zero);
    }

    // GET /query?db=..&epoch=ms&q=..: {"results":[{"series":[{"columns":[...],"values":[[...],...]}]}]}.
    private async Task<List<Dictionary<string, JsonElement>>> QueryAsync(string influxQl)
    {
        var body = await _http.GetStringAsync($"{_url}/query?db={Database}&epoch=ms&q={Uri.EscapeDataString(influxQl)}");
        using var json = JsonDocument.Parse(body);
        var result = json.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return [];
        }

        var columns = series[0].GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
        return [.. series[0].GetProperty("values").EnumerateArray()
            .Select(row => columns.Zip(row.EnumerateArray()).ToDictionary(p => p.First, p => p.Second.Clone()))];
    }
}
