using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Sensing.LocalServers;
using Sensing.Storage;

namespace Sensing.LibraryBench;

/// <summary>
/// The same points written to a real VictoriaMetrics' <c>/api/v2/write</c> by the project's <see cref="StoreWriter"/>
/// and by InfluxDB.Client 5.1 (WriteApiAsync, typed points, gzip), alternating writers in one run: points/s until the
/// store accepted them all, and bytes allocated per point (whole process). Then the store-down case: each writer is
/// given points while nothing listens on the store's port, the store starts OUTAGE seconds later, and what arrived is
/// counted (InfluxDB.Client's background WriteApi with its default retry settings, as an application would use it).
/// </summary>
internal static partial class StoreRun
{
    private const int Series = 1_000;
    private const int Batch = 5_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var points = int.Parse(args[0], CultureInfo.InvariantCulture);
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var outage = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var outagePoints = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        var devices = Enumerable.Range(0, Series).Select(i => $"gm-{i:D6}").ToArray();

        if (points > 0)
        {
            await ThroughputAsync(devices, points, rounds);
        }

        if (outage > 0)
        {
            await StoreDownAsync(devices, outage, outagePoints);
        }

        return 0;
    }

    private static async Task ThroughputAsync(string[] devices, int points, int rounds)
    {
        await using (var store = new LocalVictoriaMetrics(new LocalVictoriaMetricsOptions { ExtraArguments = ["-search.latencyOffset=0s"] }))
        {
            await store.StartAsync();
            await using var ours = new StoreWriter(StoreWriterOptions.Default with { Url = store.BaseUrl, Api = StoreApi.InfluxV2, Organization = "sensing", Bucket = "sensing" });
            using var influx = new InfluxDBClient(new InfluxDBClientOptions(store.BaseUrl) { Token = "unused", Org = "sensing", Bucket = "sensing" });
            influx.EnableGzip();
            var writeApi = influx.GetWriteApiAsync();
            var time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000 - ((long)points * ((rounds * 2) + 1));

            // Warm-up (JIT, connections), not counted.
            await WriteOursAsync(ours, devices, "warm", 20_000, time);
            await WriteInfluxAsync(writeApi, devices, "warm", 20_000, time);
            for (var round = 1; round <= rounds; round++)
            {
                time += points;
                var (secondsOurs, bytesOurs) = await MeasureAsync(() => WriteOursAsync(ours, devices, "storewriter", points, time));
                time += points;
                var (secondsInflux, bytesInflux) = await MeasureAsync(() => WriteInfluxAsync(writeApi, devices, "influxdb-client", points, time));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: storewriter {points / secondsOurs:F0} points/s {bytesOurs / (double)points:F0} B/point; influxdb-client {points / secondsInflux:F0} points/s {bytesInflux / (double)points:F0} B/point"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"result round={round} storewriter_points_s={points / secondsOurs:F0} storewriter_bytes_point={bytesOurs / (double)points:F0} influx_points_s={points / secondsInflux:F0} influx_bytes_point={bytesInflux / (double)points:F0}"));
            }

            // VictoriaMetrics makes what it accepted searchable within a few seconds.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Console.WriteLine($"store holds {await CountAsync(store.BaseUrl, "storewriter")} points from storewriter and {await CountAsync(store.BaseUrl, "influxdb-client")} from influxdb-client, of {(long)points * rounds} each");
        }
    }

    private static async Task<(double Seconds, long Bytes)> MeasureAsync(Func<Task> write)
    {
        GC.Collect();
        var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await write();
        watch.Stop();
        return (watch.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - bytes0);
    }

    private static async Task WriteOursAsync(StoreWriter writer, string[] devices, string tag, int points, long time)
    {
        for (var i = 0; i < points; i++)
        {
            var point = (Device: devices[i % Series], Writer: tag, Time: time + i, Value: i * 0.001);
            while (!writer.TryAppend(point, static (w, p) =>
                w.Measurement("bench_store"u8).Tag("device"u8, p.Device).Tag("district"u8, "d01"u8).Tag("kind"u8, "gas-meter"u8).Tag("writer"u8, p.Writer)
                    .Field("flow"u8, p.Value).Field("battery"u8, 3.6).EndLine(p.Time)))
            {
                await writer.FlushAsync();
            }
        }

        await writer.FlushAsync();
    }

    private static PointData Point(string device, string writer, long time, double value) =>
        PointData.Measurement("bench_store").Tag("device", device).Tag("district", "d01").Tag("kind", "gas-meter").Tag("writer", writer)
            .Field("flow", value).Field("battery", 3.6).Timestamp(time, WritePrecision.Ms);

    private static async Task WriteInfluxAsync(WriteApiAsync writeApi, string[] devices, string tag, int points, long time)
    {
        var batch = new List<PointData>(Batch);
        for (var i = 0; i < points; i++)
        {
            batch.Add(Point(devices[i % Series], tag, time + i, i * 0.001));
            if (batch.Count == Batch)
            {
                await writeApi.WritePointsAsync(batch, "sensing", "sensing");
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await writeApi.WritePointsAsync(batch, "sensing", "sensing");
        }
    }

    /// <summary>Points of <c>bench_store_flow</c> (or <paramref name="measurement"/>) with the writer tag, read back with /api/v1/export.</summary>
    private static async Task<long> CountAsync(string baseUrl, string writer, string measurement = "bench_store_flow")
    {
        using var http = new HttpClient();
        var query = Uri.EscapeDataString($"{{__name__=\"{measurement}\",writer=\"{writer}\"}}");
        var body = await http.GetStringAsync($"{baseUrl}/api/v1/export?match[]={query}");
        long count = 0;
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            count += json.RootElement.GetProperty("values").GetArrayLength();
        }

        return count;
    }
}
