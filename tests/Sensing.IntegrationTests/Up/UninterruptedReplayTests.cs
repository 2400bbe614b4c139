using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Simulators.Truth;
using Sensing.Up;

namespace Sensing.IntegrationTests.Up;

/// <summary>The uninterrupted replay and its comparison with the alerts topic, over hand-made records (no servers).</summary>
[TestFixture]
public sealed class UninterruptedReplayTests
{
    private const long T0 = 1_764_590_400_000; // 2025-12-01T12:00:00Z
    private const int Interval = 30;

    private static readonly DeviceInfo Detector = new("md-1", DeviceKind.MethaneDetector, "d1", Interval, "");
    private static readonly DeviceInfo Other = new("md-2", DeviceKind.MethaneDetector, "d2", Interval, "");

    [Test]
    public void Run_PartitionsMergedByTime_ADeviceReportingOnTimeIsNotFoundSilent()
    {
        // md-1 reports every 30 s on partition 0 for 10 minutes, md-2 on partition 1; md-2 reaches level 2 at minute 5.
        // Read one partition after the other, md-2's ten minutes would move event time past md-1's deadline before its
        // second reading: the merge reads both in time order, as one live processor does.
        var replay = new UninterruptedReplay();
        for (var i = 0; i <= 20; i++)
        {
            replay.Add(0, Frame(Detector, i, lel: 1));
        }

        for (var i = 0; i <= 20; i++)
        {
            replay.Add(1, Frame(Other, i, lel: i == 10 ? 60 : 1));
        }

        var alerts = replay.Run([Detector, Other], DetectionOptions.Default);

        Assert.That(replay.Records, Is.EqualTo(42));
        Assert.That(alerts.Where(a => a.Condition == AlertCondition.DeviceOffline.Name()), Is.Empty, "no device was silent");
        var methane = alerts.Single(a => a.Condition == AlertCondition.MethaneHigh.Name());
        Assert.That(methane.Source, Is.EqualTo("md-2"));
        Assert.That(methane.RaisedAtMs, Is.EqualTo(T0 + (10 * Interval * 1000)));
        Assert.That(methane.ClearedAtMs, Is.Not.Null, "back under level 1 after it");
    }

    [Test]
    public void Run_ADeviceThatStopsWhileItsPartitionIsQuiet_FoundSilentAtItsDeadline()
    {
        // md-1 stops after 90 s; partition 1 goes on with a record every 5 s, so partition 0 is quiet while another is
        // not, and its device is judged by the merged time, as the processor judges a quiet partition.
        var replay = new UninterruptedReplay();
        for (var i = 0; i <= 3; i++)
        {
            replay.Add(0, Frame(Detector, i, lel: 1));
        }

        for (var i = 0; i <= 120; i++)
        {
            replay.Add(1, Frame(Other, i, lel: 1, stepMs: 5_000));
        }

        var offline = replay.Run([Detector, Other], DetectionOptions.Default).Single(a => a.Condition == AlertCondition.DeviceOffline.Name());

        Assert.That(offline.Source, Is.EqualTo("md-1"));
        Assert.That(offline.RaisedAtMs, Is.EqualTo(T0 + (3 * Interval * 1000) + (long)(DetectionOptions.Default.Health.OfflineAfterIntervals * Interval * 1000)));
    }

    [Test]
    public void Compare_MissingExtraAndTimeDriven_CountedApart()
    {
        AlertRecord Alert(string id, AlertCondition condition) => new(id, "src-" + id, condition.Name(), "High", T0, null);
        var replayed = new[] { Alert("a", AlertCondition.MethaneHigh), Alert("b", AlertCondition.MeterRupture), Alert("c", AlertCondition.ChargerOutOfService) };
        var pipeline = new[]
        {
            Alert("a", AlertCondition.MethaneHigh), Alert("d", AlertCondition.ChargerSafety), Alert("e", AlertCondition.Chattering),
            Alert("f", AlertCondition.SmokeAlarmFault),
        };

        var comparison = ReplayComparison.Compare(pipeline, replayed);

        Assert.That(comparison.Replayed, Is.EqualTo(3));
        Assert.That(comparison.Missing, Is.EqualTo(1), "the rupture b");
        Assert.That(comparison.Extra, Is.EqualTo(2), "the charger alert d and the smoke alarm fault f (a heartbeat is judged by its partition's time)");
        Assert.That(comparison.TimeDriven, Is.EqualTo(2), "out of service c missing and chattering e extra");
        Assert.That(comparison.Equal, Is.False);
        Assert.That(comparison.Examples[0], Does.StartWith("missing: gas.meter-rupture src-b"));
        Assert.That(comparison.Examples[1], Does.StartWith("extra: "));
        Assert.That(ReplayComparison.Compare(pipeline.Take(1).ToList(), replayed.Take(1).ToList()).Equal, Is.True);
    }

    private static byte[] Frame(DeviceInfo device, int report, double lel, long stepMs = Interval * 1000L)
    {
        var timeMs = T0 + (report * stepMs);
        var frame = new byte[TelemetryFrame.MaxLength];
        var length = TelemetryFrame.Write(frame, Encoding.ASCII.GetBytes(device.Id), device.Kind, timeMs, timeMs + 40, (ulong)report + 1, TraceContext.None,
            [new MetricValue(Metric.MethaneLel, lel)]);
        return frame.AsSpan(0, length).ToArray();
    }
}
