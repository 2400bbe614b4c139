using System.Globalization;
using System.Net;
using NUnit.Framework;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.LocalServers;

/// <summary>Each test starts its own VictoriaMetrics: it is ready in well under a second.</summary>
[TestFixture]
public sealed class LocalVictoriaMetricsTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Test]
    public async Task WriteLineProtocol_ThenExport_FindsThePoint()
    {
        await using LocalVictoriaMetrics store = await StartAsync();
        // An old event time on purpose: it is kept only because retention is 100 years.
        var eventTime = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

        await WriteAsync(store, $"pressure,device=pz-17 bar=4.25 {eventTime.ToUnixTimeMilliseconds() * 1_000_000}");

        Assert.That(await ExportAsync(store, "pressure_bar"), Does.Contain("\"device\":\"pz-17\"")
            .And.Contain("\"values\":[4.25]")
            .And.Contain($"\"timestamps\":[{eventTime.ToUnixTimeMilliseconds()}]"));
    }

    [Test]
    public async Task StopAsync_ThenStartAsync_PointSurvivesOnSamePort()
    {
        await using LocalVictoriaMetrics store = await StartAsync();
        await WriteAsync(store, "level,reservoir=north metres=12.5");
        string baseUrl = store.BaseUrl;
        int oldPid = store.ProcessId!.Value;

        await store.StopAsync();
        Assert.That(ServerProcesses.IsRunning(oldPid, store.Directory), Is.False);
        await store.StartAsync();

        Assert.That(store.BaseUrl, Is.EqualTo(baseUrl));
        Assert.That(await ExportAsync(store, "level_metres"), Does.Contain("\"reservoir\":\"north\"").And.Contain("[12.5]"));
    }

    [Test]
    public async Task Kill_ThenStartAsync_PersistedPointSurvives()
    {
        await using LocalVictoriaMetrics store = await StartAsync();
        await WriteAsync(store, "flow,main=east litres=99");
        await store.StopAsync(); // persists the point; a kill loses the last seconds even after a flush
        await store.StartAsync();
        int oldPid = store.ProcessId!.Value;

        store.Kill();
        Assert.That(ServerProcesses.IsRunning(oldPid, store.Directory), Is.False);
        await store.StartAsync();

        Assert.That(await ExportAsync(store, "flow_litres"), Does.Contain("\"main\":\"east\"").And.Contain("[99]"));
    }

    [Test]
    public async Task DisposeAsync_Running_ProcessGoneAndFolderRemoved()
    {
        LocalVictoriaMetrics store = await StartAsync();
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

    private static async Task<LocalVictoriaMetrics> StartAsync()
    {
        var store = new LocalVictoriaMetrics(LocalVictoriaMetricsOptions.Default with { Log = line => TestContext.Progress.WriteLine(line) });
        await store.StartAsync();
        return store;
    }

    /// <summary>POST /write (Influx line protocol), then a flush so the point is searchable at once.</summary>
    private static async Task WriteAsync(LocalVictoriaMetrics store, string line)
    {
        using var response = await Http.PostAsync(new Uri(store.BaseUrl + "/write"), new StringContent(line));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await store.FlushAsync();
    }

    /// <summary>/api/v1/export for one series, polled for a few seconds in case the store is slow.</summary>
    private static async Task<string> ExportAsync(LocalVictoriaMetrics store, string metric)
    {
        var url = new Uri($"{store.BaseUrl}/api/v1/export?match[]={Uri.EscapeDataString(metric)}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string body;
        do
        {
            body = await Http.GetStringAsync(url);
            if (body.Length > 0)
            {
                return body;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return string.Create(CultureInfo.InvariantCulture, $"(nothing exported for {metric} within 10 s)");
    }
}
