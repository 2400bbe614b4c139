using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Health;
using static Sensing.Tests.Detection.FleetTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DeviceHealthDetectorTests
{
    [Test]
    public void Process_OneLowBatteryReadingThatRecovers_RaisesNothing()
    {
        var kit = new FleetTestKit();

        // Trap: a dip during a transmission on a cold night; the next report is back to normal.
        kit.Feed(Meter, 0, Battery(3.55));
        kit.Feed(Meter, 900, Battery(3.05));
        kit.Feed(Meter, 1_800, Battery(3.54));
        kit.Feed(Meter, 7_200, Battery(3.55));

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_BatteryLowForTheOnDelay_RaisesLowThenClearsAboveTheDeadband()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Battery(3.25));
        kit.Feed(Meter, 1_800, Battery(3.2));
        Assert.That(kit.Events, Is.Empty);

        kit.Feed(Meter, 3_600, Battery(3.22));
        kit.Feed(Meter, 4_500, Battery(3.35));   // above 3.3 but inside the 0.1 V deadband: still low
        kit.Feed(Meter, 5_400, Battery(3.6));    // new battery

        var events = kit.Of(AlertCondition.LowBattery);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + 3_600_000));
        Assert.That(events[0].Severity, Is.EqualTo(AlertSeverity.Low));
        Assert.That(events[1].PeakValue, Is.EqualTo(3.2), "the peak of a low battery is its lowest voltage");
        Assert.That(events[1].ClearedAtMs, Is.EqualTo(T0 + 5_400_000));
    }

    [Test]
    public void Process_LowBatteryParameterOnDevice_OverridesClassLevel()
    {
        var kit = new FleetTestKit();

        // SmallMeter has low_battery_v=3.1: 3.2 V is fine for it, low for the other meter.
        foreach (var id in new[] { Meter, SmallMeter })
        {
            kit.Feed(id, 0, Battery(3.2));
            kit.Feed(id, 3_600, Battery(3.2));
        }

        Assert.That(kit.Of(AlertCondition.LowBattery).Select(e => e.Source), Is.EqualTo(new[] { Meter }));
    }

    [Test]
    public void Process_ClassAndDistrictOverrides_ResolvedPerDevice()
    {
        var kit = new FleetTestKit(DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Kinds = new Dictionary<DeviceKind, OptionsChange>
                {
                    [DeviceKind.MethaneDetector] = o => o with { Health = o.Health with { LowBatteryVolts = 11.5, LowBatteryOnDelay = TimeSpan.Zero } },
                },
                Districts = new Dictionary<string, OptionsChange>
                {
                    [OtherDistrict] = o => o with { Health = o.Health with { LowBatteryOnDelay = TimeSpan.Zero } },
                },
            },
        });

        kit.Feed(Detector, 0, Battery(11.0));     // 12 V backup battery, class level 11.5 V, no on-delay
        kit.Feed(SmallMeter, 0, Battery(3.0));    // its district has no on-delay
        kit.Feed(Meter, 0, Battery(3.0));         // default: 1 h on-delay

        Assert.That(kit.Of(AlertCondition.LowBattery).Select(e => e.Source), Is.EquivalentTo(new[] { Detector, SmallMeter }));
    }

    [Test]
    public void AdvanceTo_DeviceSilentForThreeIntervals_OfflineAtTheDeadlineAndClearedOnNextReading()
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Status(ChargerStatus.Available));   // report interval 60 s

        kit.AdvanceTo(179);
        Assert.That(kit.Of(AlertCondition.DeviceOffline), Is.Empty);
        kit.AdvanceTo(400);

        var raised = kit.Of(AlertCondition.DeviceOffline).Single();
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + 180_000));
        Assert.That(raised.Id, Is.EqualTo(AlertId.Create(Charger, AlertCondition.DeviceOffline, T0 + 180_000)));
        Assert.That(raised.Value, Is.EqualTo(180));

        kit.AdvanceTo(900);
        Assert.That(kit.Of(AlertCondition.DeviceOffline), Has.Count.EqualTo(1), "one alert while silent");
        kit.Feed(Charger, 901, Status(ChargerStatus.Available));

        var cleared = kit.Of(AlertCondition.DeviceOffline)[1];
        Assert.That(cleared.Type, Is.EqualTo(AlertEventType.Cleared));
        Assert.That(cleared.ClearedAtMs, Is.EqualTo(T0 + 901_000));
    }

    [Test]
    public void AdvanceStream_ADeviceOnAStreamBehind_NotFoundSilentByTheOtherStreamsTime()
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Status(ChargerStatus.Available));   // report interval 60 s, stream 1
        kit.Engine.AssignStream(kit.Number(Charger), 1);
        kit.Feed(Detector, 0, new MetricValue(Metric.MethaneLel, 0));
        kit.Engine.AssignStream(kit.Number(Detector), 0);

        // Stream 0 has been read up to 10 minutes on; stream 1 is behind (its next reading, at 60 s, not read yet). The
        // processor's watermark or another stream's time says nothing about the charger.
        kit.Feed(Detector, 600, new MetricValue(Metric.MethaneLel, 0));
        kit.Engine.AdvanceStream(0, T0 + 600_000);
        kit.AdvanceTo(600);
        Assert.That(kit.Of(AlertCondition.DeviceOffline).Where(e => e.Source == Charger), Is.Empty);

        // Stream 1 read on: the charger's reading at 60 s, then a record of its stream at 400 s with no reading of the
        // charger between them: offline at 60 s + 3 intervals, whenever that is read.
        kit.Feed(Charger, 60, Status(ChargerStatus.Available));
        kit.Engine.AdvanceStream(1, T0 + 60_000);
        kit.Engine.AdvanceStream(1, T0 + 400_000);

        var raised = kit.Of(AlertCondition.DeviceOffline).Single(e => e.Source == Charger);
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + 240_000));
        Assert.That(kit.Of(AlertCondition.DeviceOffline).Where(e => e.Source == Detector), Is.Empty,
            "nothing else on the detector's stream moved its time between its readings at 0 and 600 s: its own reading came first");
    }

    [Test]
    public void AdvanceStream_WatermarkTicksAnywhereBetweenRecords_SameAlerts()
    {
        // One stream's records in their order: the charger reports at 0, 60, 120 and late at 400 s; the meter's records
        // at 200 and 300 s move the stream's time in between. Whether and when the processor's once-a-second tick (its
        // watermark, possibly far ahead thanks to other partitions) falls between them changes nothing.
        static List<string> Run(bool ticks)
        {
            var kit = new FleetTestKit();
            var records = new (string Device, double Seconds)[] { (Charger, 0), (Meter, 0), (Charger, 60), (Charger, 120), (Meter, 200), (Meter, 300), (Charger, 400), (Meter, 500) };
            foreach (var (device, seconds) in records)
            {
                kit.Feed(device, seconds, device == Charger ? Status(ChargerStatus.Available) : Flow(0));
                kit.Engine.AssignStream(kit.Number(device), 3);
                kit.Engine.AdvanceStream(3, T0 + (long)(seconds * 1000));
                if (ticks)
                {
                    kit.AdvanceTo(seconds + 5_000);
                }
            }

            return [.. kit.Of(AlertCondition.DeviceOffline).Where(e => e.Source == Charger).Select(e => $"{e.Type} {e.Id}")];
        }

        var quiet = Run(ticks: false);
        Assert.That(quiet, Is.EqualTo(new[]
        {
            $"Raised {AlertId.Create(Charger, AlertCondition.DeviceOffline, T0 + 300_000)}",
            $"Cleared {AlertId.Create(Charger, AlertCondition.DeviceOffline, T0 + 300_000)}",
        }), "raised when the meter's record at 300 s passed 120 s + 3 intervals, cleared by the reading at 400 s");
        Assert.That(Run(ticks: true), Is.EqualTo(quiet));
    }

    [Test]
    public void AdvanceTo_DevicesReportingOnTime_NeverOffline()
    {
        var kit = new FleetTestKit();

        for (var s = 0; s < 3_600; s += 30)
        {
            kit.Feed(Detector, s, new MetricValue(Metric.MethaneLel, 1));
            kit.Feed(Charger, s, Status(ChargerStatus.Charging));
            kit.AdvanceTo(s + 29);
        }

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Of(AlertCondition.DeviceOffline), Is.Empty, "devices never heard from are not watched");
    }

    [Test]
    public void Process_OnlineZeroFromGateway_OfflineAtOnce()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0));

        kit.Feed(Meter, 10, new MetricValue(Metric.Online, 0));
        kit.Feed(Meter, 20, new MetricValue(Metric.Online, 1));

        var events = kit.Of(AlertCondition.DeviceOffline);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + 10_000));
        Assert.That(events[0].Message, Does.Contain("connection lost"));
    }

    [Test]
    public void Process_OfflineEventOlderThanTheDevicesLastReading_IsStaleAndRaisesNothing()
    {
        // A gateway waited out the will delay and wrote the loss at 10 s, while the device had connected to another
        // gateway and published at 40 s: the record arrives after that reading and must not take the device offline.
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0));
        kit.Feed(Meter, 40, Flow(0));
        kit.FeedConnectionEvent(Meter, 10, online: false);
        Assert.That(kit.Of(AlertCondition.DeviceOffline), Is.Empty);

        // A loss after the last reading still raises at once.
        kit.FeedConnectionEvent(Meter, 50, online: false);
        Assert.That(kit.Of(AlertCondition.DeviceOffline).Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised }));
    }

    [Test]
    public void Process_GatewayConnectionEventsWithSequenceZero_RaiseAndClearOfflineWithoutTouchingDuplicates()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0));
        kit.Feed(Meter, 5, Flow(0));

        // The gateway does not know the device's counter: its events carry sequence number 0.
        kit.FeedConnectionEvent(Meter, 10, online: false);
        kit.FeedConnectionEvent(Meter, 20, online: true);
        kit.Feed(Meter, 30, Flow(0));

        var events = kit.Of(AlertCondition.DeviceOffline);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + 10_000));
        Assert.That(kit.Engine.Duplicates, Is.Zero, "connection events are not duplicates, and do not make the next reading one");
    }

    [Test]
    public void Process_FirstReadingAfterTheWillWithoutAnOnlineRecord_ClearsOffline()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0));
        kit.FeedConnectionEvent(Meter, 10, online: false);

        // Back through a gateway that never saw it go offline: no online=1 record, only its next reading.
        kit.Feed(Meter, 20, Flow(0));

        var events = kit.Of(AlertCondition.DeviceOffline);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[1].EventTimeMs, Is.EqualTo(T0 + 20_000), "cleared by the reading itself");
    }

    [Test]
    public void Process_ClockSkewPersisting_RaisedAfterTheOnDelayInIngestTime()
    {
        var kit = new FleetTestKit();

        // The device clock runs 20 minutes behind; it reports every 15 minutes.
        kit.FeedAt(Meter, 0, 1_200, Flow(0));
        Assert.That(kit.Of(AlertCondition.ClockSkew), Is.Empty, "one skewed reading is not yet clock skew");
        kit.FeedAt(Meter, 900, 2_100, Flow(0));

        var raised = kit.Of(AlertCondition.ClockSkew).Single();
        Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + 2_100_000), "raised in ingest time, 10 min after the first skewed reading");
        Assert.That(raised.Value, Is.EqualTo(-1_200));
        Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Low));

        kit.FeedAt(Meter, 3_000, 3_001, Flow(0));   // clock corrected
        Assert.That(kit.Of(AlertCondition.ClockSkew).Last().Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Process_BacklogUploadedAfterOutage_RaisesNoClockSkew()
    {
        var kit = new FleetTestKit();

        // Trap: after 2 h without coverage the meter uploads its 8 stored readings within seconds, then reports live.
        for (var i = 0; i < 8; i++)
        {
            kit.FeedAt(Meter, i * 900, 7_200 + i, Flow(0));
        }

        kit.FeedAt(Meter, 7_200, 7_210, Flow(0));
        kit.FeedAt(Meter, 8_100, 8_101, Flow(0));

        Assert.That(kit.Of(AlertCondition.ClockSkew), Is.Empty);
    }

    [Test]
    public void Release_DevicesWhosePartitionMoved_NotDeclaredOfflineOrOutOfService()
    {
        var kit = new FleetTestKit();
        kit.Feed(Charger, 0, Status(ChargerStatus.Faulted));
        kit.Feed(Detector, 0, new MetricValue(Metric.MethaneLel, 1));

        kit.Engine.Release(kit.Number(Charger));
        kit.AdvanceTo(3_600);

        Assert.That(kit.Events.Select(e => (e.Source, e.Condition)), Is.EqualTo(new[] { (Detector, "device.offline") }));

        kit.Feed(Charger, 3_700, Status(ChargerStatus.Available));   // heard here again: watched again
        kit.AdvanceTo(3_900);
        Assert.That(kit.Of(AlertCondition.DeviceOffline).Select(e => e.Source), Is.EqualTo(new[] { Detector, Charger }));
    }

    [Test]
    public void Process_NoisyBatteryAroundNominal_RaisesNothing()
    {
        var kit = new FleetTestKit();
        var random = new Random(11);

        // Trap: two days of hourly readings at 3.45-3.65 V with an occasional deep dip that recovers.
        for (var h = 0; h < 48; h++)
        {
            var volts = h % 17 == 5 ? 2.9 : 3.45 + (random.NextDouble() * 0.2);
            kit.Feed(Meter, h * 3_600, Battery(volts));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        var d = DeviceHealthOptions.Default;
        yield return new TestCaseData(d with { LowBatteryVolts = 0 }, "LowBatteryVolts").SetName("HealthOptions_LowBatteryZero");
        yield return new TestCaseData(d with { OfflineAfterIntervals = 0.5 }, "OfflineAfterIntervals").SetName("HealthOptions_OfflineBelowOneInterval");
        yield return new TestCaseData(d with { ClockSkewLimit = TimeSpan.Zero }, "ClockSkewLimit").SetName("HealthOptions_SkewLimitZero");
    }

    [Test]
    public void Constructor_BadClassOverride_ThrowsNamingIt()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Kinds = new Dictionary<DeviceKind, OptionsChange> { [DeviceKind.EvCharger] = o => o with { Health = o.Health with { BatteryDeadbandVolts = -1 } } },
            },
        };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Kinds[ev-charger].BatteryDeadbandVolts"));
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadHealthOption_ThrowsNamingIt(DeviceHealthOptions health, string option)
    {
        var options = DetectionOptions.Default with { Health = health };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo(option).And.Message.Contains(option));
    }
}
