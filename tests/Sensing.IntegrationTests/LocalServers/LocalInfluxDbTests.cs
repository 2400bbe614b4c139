using System.Net;
using System.Text.Json;
using NUnit.Framework;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.LocalServers;

/// <summary>Each test starts its own influxd (Debian's InfluxDB 1.6): it is ready in about a second.</summary>
[TestFixture]
public sealed class LocalInfluxDbTests
{
    private const string Database = "local_it";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Test]
    public async Task WriteLineProtocol_ThenQuery_FindsThePoint()
    {
        await using LocalInfluxDb store = await StartAsync();
        var eventTime = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

        await WriteAsync(store, $"pressure,device=pz-17 bar=4.25 {eventTime.ToUnixTimeMilliseconds()}");

        Assert.That(await QueryAsync(store, "SELECT bar, device FROM pressure"), Is.EqualTo($"[[{eventTime.ToUnixTimeMilliseconds()},4.25,\"pz-17\"]]"));
    }

    [Test]
    public async Task StopAsync_ThenStartAsync_PointSurvivesOnSamePort()
    {
        await using LocalInfluxDb store = await StartAsync();
        await WriteAsync(store, "level,reservoir=north metres=12.5 1000");
        string baseUrl = store.BaseUrl;
        int oldPid = store.ProcessId!.Value;

        await store.StopAsync();
        Assert.That(ServerProcesses.IsRunning(oldPid, store.Directory), Is.False);
        await store.StartAsync();

        Assert.That(store.BaseUrl, Is.EqualTo(baseUrl));
        Assert.That(await QueryAsync(store, "SELECT metres FROM level WHERE reservoir = 'north'"), Is.EqualTo("[[1000,12.5]]"));
    }

    [Test]
    public async Task Kill_ThenStartAsync_AcknowledgedPointSurvives()
    {
        await using LocalInfluxDb store = await StartAsync();
        await WriteAsync(store, "flow,main=east litres=99 2000");
        int oldPid = store.ProcessId!.Value;

        store.Kill();
        Assert.That(ServerProcesses.IsRunning(oldPid, store.Directory), Is.False);
        await store.StartAsync();

        Assert.That(await QueryAsync(store, "SELECT litres FROM flow"), Is.EqualTo("[[2000,99]]"), "a 204 means the point is in the write-ahead log");
    }

    [Test]
    public async Task DisposeAsync_Running_ProcessGoneAndFolderRemoved()
    {
        LocalInfluxDb store = await StartAsync();
        int pid = store.ProcessId!.Value;
        string folder = store.Directory;
        Assert.That(ServerProcesses.IsRunning(pid, folder), Is.True);

        await store.DisposeAsync();

        Assert.That(ServerProcesses.IsRunning(pid, folder), Is.False);
        if (Environment.GetEnvironmentVariable("SENSING_KEEP_SERVER_DIRS") != "1")
        {
            Assert.That(Directory.Exists(folder), Is.False);
        }
    }

    private static async Task<LocalInfluxDb> StartAsync()
    {
        var store = new LocalInfluxDb(LocalInfluxDbOptions.Default with { Databases = [Database], Log = line => TestContext.Progress.WriteLine(line) });
        await store.StartAsync();
        return store;
    }

    private static async Task WriteAsync(LocalInfluxDb store, string line)
    {
        using var response = await Http.PostAsync(new Uri($"{store.BaseUrl}/write?db={Database}&precision=ms"), new StringContent(line));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
    }

    // The rows of the first series of an InfluxQL answer, as JSON ("[[time,value,...],...]"), times in ms.
    private static async Task<string> QueryAsync(LocalInfluxDb store, string influxQl)
    {
        var body = await Http.GetStringAsync(new Uri($"{store.BaseUrl}/query?db={Database}&epoch=ms&q={Uri.EscapeDataString(influxQl)}"));
        using var json = JsonDocument.Parse(body);
        var result = json.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values").GetRawText() : body;
    }
}
