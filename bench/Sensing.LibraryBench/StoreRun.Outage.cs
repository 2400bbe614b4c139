using System.Globalization;
using InfluxDB.Client;
using InfluxDB.Client.Writes;
using Sensing.LocalServers;
using Sensing.Storage;

namespace Sensing.LibraryBench;

/// <content>What each writer does with points given while the store is down.</content>
internal static partial class StoreRun
{
    private static async Task StoreDownAsync(string[] devices, int outageSeconds, int outagePoints)
    {
        var port = FreePorts.Pick();
        var url = $"http://127.0.0.1:{port}";
        var time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

        // The project's writer, used as the processor uses it: append, flush, and on a transient failure flush again
        // later (the processor holds its Kafka offsets meanwhile).
        var ours = new StoreWriter(StoreWriterOptions.Default with { Url = url, Api = StoreApi.InfluxV2, Organization = "sensing", Bucket = "sensing" });
        var refusedAppends = 0;
        for (var i = 0; i < outagePoints; i++)
        {
            var point = (Device: devices[i % Series], Time: time + i);
            // False when the writer's bounded buffer is full: the caller is told and keeps the point (backpressure).
            refusedAppends += ours.TryAppend(point, static (w, p) =>
                w.Measurement("bench_down"u8).Tag("device"u8, p.Device).Tag("writer"u8, "storewriter"u8).Field("flow"u8, 1.0).EndLine(p.Time)) ? 0 : 1;
        }

        var flushFailures = 0;
        var flushed = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    await ours.FlushAsync();
                    return;
                }
                catch (StoreWriteException e) when (e.IsTransient)
                {
                    flushFailures++;
                    await Task.Delay(1000);
                }
            }
        });

        // InfluxDB.Client's background WriteApi with its default WriteOptions (batches of 1,000, flushed every second,
        // up to 5 retries from 5 s doubling), counting the events it raises.
        using var influx = new InfluxDBClient(new InfluxDBClientOptions(url) { Token = "unused", Org = "sensing", Bucket = "sensing" });
        var writeApi = influx.GetWriteApi();
        int success = 0, retriable = 0, errors = 0;
        string? lastError = null;
        writeApi.EventHandler += (_, e) =>
        {
            switch (e)
            {
                case WriteSuccessEvent:
                    Interlocked.Increment(ref success);
                    break;
                case WriteRetriableErrorEvent r:
                    Interlocked.Increment(ref retriable);
                    lastError = r.Exception.Message;
                    break;
                case WriteErrorEvent f:
                    Interlocked.Increment(ref errors);
                    lastError = f.Exception.Message;
                    break;
            }
        };
        for (var i = 0; i < outagePoints; i++)
        {
            writeApi.WritePoint(PointData.Measurement("bench_down").Tag("device", devices[i % Series]).Tag("writer", "influxdb-client")
                .Field("flow", 1.0).Timestamp(time + i, InfluxDB.Client.Api.Domain.WritePrecision.Ms), "sensing", "sensing");
        }

        await Task.Delay(TimeSpan.FromSeconds(outageSeconds));
        Console.WriteLine($"store down {outageSeconds} s, {outagePoints} points given to each writer: storewriter appends refused (buffer full) {refusedAppends}, flush failures {flushFailures}; influxdb-client events: {success} written, {retriable} retriable errors, {errors} errors (last: {lastError})");
        await using var store = new LocalVictoriaMetrics(new LocalVictoriaMetricsOptions { Port = port, ExtraArguments = ["-search.latencyOffset=0s"] });
        await store.StartAsync();
        var up = DateTime.UtcNow;
        await flushed.WaitAsync(TimeSpan.FromSeconds(120));
        var oursAfter = DateTime.UtcNow - up;

        // Give the library's retries up to two minutes to bring everything in, then dispose it (which flushes).
        long influxCount = 0;
        while (DateTime.UtcNow - up < TimeSpan.FromSeconds(120) && (influxCount = await CountAsync(url, "influxdb-client", "bench_down_flow")) < outagePoints)
        {
            await Task.Delay(2000);
        }

        var influxAfter = DateTime.UtcNow - up;
        writeApi.Dispose();
        await Task.Delay(5000);
        var oursCount = await CountAsync(url, "storewriter", "bench_down_flow");
        influxCount = await CountAsync(url, "influxdb-client", "bench_down_flow");
        await ours.DisposeAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store up again: storewriter {oursCount} of {outagePoints} points in the store {oursAfter.TotalSeconds:F1} s after; influxdb-client {influxCount} of {outagePoints} ({influxAfter.TotalSeconds:F1} s after, then disposed); influxdb-client events: {success} written, {retriable} retriable errors, {errors} errors (last: {lastError})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result outage_s={outageSeconds} storewriter_refused={refusedAppends} storewriter_kept={oursCount} influx_kept={influxCount} of={outagePoints} influx_errors={errors} influx_retriable={retriable}"));
    }
}
