using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Replay;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Simulators;

/// <summary>
/// <c>sim replay</c>'s publisher against a real mosquitto broker, with the real <c>mosquitto_sub</c> client reading
/// what arrives: a wide recording with a sensor map, replayed at 600x.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReplayTests
{
    private string _dir = "";
    private Process? _broker;
    private int _port;

    [SetUp]
    public async Task StartBroker()
    {
        _dir = Directory.CreateTempSubdirectory("replay-").FullName;
        _port = FreePorts.Pick();

        var config = Path.Combine(_dir, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {_port} 127.0.0.1\nallow_anonymous true\n");
        _broker = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail("mosquitto did not start");
    }

    [TearDown]
    public void StopBroker()
    {
        if (_broker is { HasExited: false })
        {
            _broker.Kill();
            _broker.WaitForExit();
        }

        _broker?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Replay_WideRecordingWithMap_EveryReadingAcknowledgedAndReceivedInOrder()
    {
        var recording = Path.Combine(_dir, "pressures.csv");
        var map = Path.Combine(_dir, "map.csv");
        await File.WriteAllLinesAsync(map, ["sensor,device,kind,district,metric,report_s", "n54,wp-n54,water-pressure,dma-a,pressure,300", "pump1,wf-pump1,water-flow,dma-a,water_flow,300"]);
        string[] lines = ["timestamp,n54,pump1", .. Enumerable.Range(0, 20).Select(i =>
            $"{new DateTime(2019, 1, 1).AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{(0.40 - (i * 0.001)).ToString(CultureInfo.InvariantCulture)},{100 + i}")];
        await File.WriteAllLinesAsync(recording, lines);

        var readings = RecordedReadings.Group(RecordingReader.Read(recording, RecordingFormat.Wide), SensorMap.Load(map), recording);
        Assert.That(readings, Has.Count.EqualTo(40));

        // -d prints the SUBACK (line-buffered by stdbuf), so the recording starts once the subscription is in place.
        using var subscriber = Process.Start(new ProcessStartInfo("stdbuf",
            ["-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture), "-t", "sensing/wp-n54/up", "-q", "1", "-C", "20", "-W", "60", "-d"])
        {
            RedirectStandardOutput = true,
        })!;
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = Task.Run(async () =>
        {
            var payloads = new List<string>();
            while (await subscriber.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Contains("SUBACK", StringComparison.Ordinal))
                {
                    subscribed.TrySetResult();
                }
                else if (line.StartsWith('{'))
                {
                    payloads.Add(line);
                }
            }

            subscribed.TrySetResult();
            return payloads.ToArray();
        });
        await Eventually.HoldsAsync(() => subscribed.Task.IsCompleted, TimeSpan.FromSeconds(60), "mosquitto_sub is subscribed (SUBACK)");

        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var publisher = new RecordingPublisher(readings, new PublishOptions { Broker = new IPEndPoint(IPAddress.Loopback, _port), Speed = 600 }, shiftToNow: true);
        var clock = Stopwatch.StartNew();
        await publisher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(publisher.Counters.Sent, Is.EqualTo(40));
        Assert.That(publisher.Counters.Acked, Is.EqualTo(40));
        Assert.That(publisher.Counters.Errors, Is.Zero);
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(8)), "95 recorded minutes at 600x take 9.5 s");

        var messages = await received.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(messages, Has.Length.EqualTo(20));
        using var first = JsonDocument.Parse(messages[0]);
        using var last = JsonDocument.Parse(messages[^1]);
        Assert.That(first.RootElement.GetProperty("seq").GetUInt64(), Is.EqualTo(1));
        Assert.That(last.RootElement.GetProperty("seq").GetUInt64(), Is.EqualTo(20));
        Assert.That(first.RootElement.GetProperty("pressure").GetDouble(), Is.EqualTo(0.40));
        Assert.That(first.RootElement.GetProperty("ts").GetInt64(), Is.EqualTo(start).Within(5_000), "the recording is moved to start now");
        Assert.That(last.RootElement.GetProperty("ts").GetInt64() - first.RootElement.GetProperty("ts").GetInt64(), Is.EqualTo(95 * 60_000),
            "recorded spacing is kept in event time");
    }
}
