using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Detection;
using Sensing.Detection.Gas;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class MethaneDetectorTests
{
    [Test]
    public void Process_At25LelExactly_RaisesHighAlert()
    {
        var kit = new DetectionTestKit();

        kit.FeedSeries(3, 25);

        Assert.That(kit.Events, Has.Count.EqualTo(1));
        var raised = kit.Events[0];
        Assert.Multiple(() =>
        {
            Assert.That(raised.Type, Is.EqualTo(AlertEventType.Raised));
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.High));
            Assert.That(raised.Id, Is.EqualTo(AlertId.Create(DetectionTestKit.Methane, AlertCondition.MethaneHigh, DetectionTestKit.T0 + 1000)));
            Assert.That(raised.Source, Is.EqualTo(DetectionTestKit.Methane));
            Assert.That(raised.District, Is.EqualTo(DetectionTestKit.District));
            Assert.That(raised.DeviceKind, Is.EqualTo("methane-detector"));
            Assert.That(raised.Condition, Is.EqualTo("gas.methane-high"));
            Assert.That(raised.RaisedAtMs, Is.EqualTo(DetectionTestKit.T0 + 1000));
            Assert.That(raised.EventTimeMs, Is.EqualTo(DetectionTestKit.T0 + 1000));
            Assert.That(raised.ClearedAtMs, Is.Null);
            Assert.That(raised.Value, Is.EqualTo(25));
            Assert.That(raised.PeakValue, Is.EqualTo(25));
            Assert.That(raised.Count, Is.EqualTo(1));
            Assert.That(raised.Message, Is.EqualTo("Methane 25.0 %LEL at md-00042 (level 1, >= 25 %LEL)"));
            Assert.That(kit.Engine.Methane.ActiveCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void Process_At24Point9Lel_RaisesNothing()
    {
        var kit = new DetectionTestKit();

        kit.FeedSeries(10, 24.9, 24.9, 24.9);

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Methane.TryGetActive(0, out _, out _), Is.False);
    }

    [Test]
    public void Process_At50WhileActive_PublishesOneUpdatedCriticalWithSameId()
    {
        var kit = new DetectionTestKit();

        kit.FeedSeries(31.5, 40, 50, 55, 49, 52);

        Assert.That(kit.Events, Has.Count.EqualTo(2));
        var (raised, updated) = (kit.Events[0], kit.Events[1]);
        Assert.Multiple(() =>
        {
            Assert.That(raised.Message, Is.EqualTo("Methane 31.5 %LEL at md-00042 (level 1, >= 25 %LEL)"));
            Assert.That(updated.Type, Is.EqualTo(AlertEventType.Updated));
            Assert.That(updated.Severity, Is.EqualTo(AlertSeverity.Critical));
            Assert.That(updated.Id, Is.EqualTo(raised.Id));
            Assert.That(updated.RaisedAtMs, Is.EqualTo(raised.RaisedAtMs));
            Assert.That(updated.EventTimeMs, Is.EqualTo(DetectionTestKit.T0 + 2000));
            Assert.That(updated.Value, Is.EqualTo(50));
            Assert.That(updated.Count, Is.EqualTo(3));
            Assert.That(updated.Message, Is.EqualTo("Methane 50.0 %LEL at md-00042 (level 2, >= 50 %LEL)"));
        });
    }

    [Test]
    public void Process_RepeatedReadingsAtSameLevel_PublishNoEventButCountAndPeak()
    {
        var kit = new DetectionTestKit();

        kit.FeedSeries(30, 30, 33, 30, 30);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        // The escalation shows what the silent repeats accumulated.
        kit.Feed(6, 5, 60);
        Assert.That(kit.Events, Has.Count.EqualTo(2));
        Assert.That(kit.Events[1].Count, Is.EqualTo(6));
        Assert.That(kit.Events[1].PeakValue, Is.EqualTo(60));
    }

    [Test]
    public void Process_At21InsideDeadband_NeverClears()
    {
        var kit = new DetectionTestKit();

        kit.Feed(1, 0, 30);
        for (var i = 2; i < 200; i++)
        {
            kit.Feed((ulong)i, i * 10, 21);
        }

        Assert.That(kit.Events, Has.Count.EqualTo(1));
        Assert.That(kit.Engine.Methane.TryGetActive(0, out _, out var severity), Is.True);
        Assert.That(severity, Is.EqualTo(AlertSeverity.High));
    }

    [Test]
    public void Process_Below20_ClearsOnlyAfterOffDelayFromFirstReadingBelow()
    {
        var kit = new DetectionTestKit();
        kit.Feed(1, 0, 35);

        kit.Feed(2, 10, 19.9);   // off-delay starts at 10 s
        kit.Feed(3, 39.999, 5);  // 29.999 s below: not yet
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        kit.Feed(4, 40, 4);      // 30 s below: clears
        Assert.That(kit.Events, Has.Count.EqualTo(2));
        var cleared = kit.Events[1];
        Assert.Multiple(() =>
        {
            Assert.That(cleared.Type, Is.EqualTo(AlertEventType.Cleared));
            Assert.That(cleared.Id, Is.EqualTo(kit.Events[0].Id));
            Assert.That(cleared.ClearedAtMs, Is.EqualTo(DetectionTestKit.T0 + 40_000));
            Assert.That(cleared.RaisedAtMs, Is.EqualTo(DetectionTestKit.T0));
            Assert.That(cleared.Value, Is.EqualTo(4));
            Assert.That(cleared.PeakValue, Is.EqualTo(35));
            Assert.That(cleared.Count, Is.EqualTo(1));
            Assert.That(kit.Engine.Methane.ActiveCount, Is.Zero);
        });
    }

    [Test]
    public void Process_ReadingInsideDeadbandDuringOffDelay_RestartsOffDelay()
    {
        var kit = new DetectionTestKit();
        kit.Feed(1, 0, 30);
        kit.Feed(2, 10, 15);
        kit.Feed(3, 20, 21);     // back inside the deadband: off-delay starts over
        kit.Feed(4, 30, 15);     // below again from 30 s
        kit.Feed(5, 50, 15);     // 40 s after the first low reading, 20 s after this run began
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        kit.Feed(6, 60, 15);
        Assert.That(kit.Events, Has.Count.EqualTo(2));
        Assert.That(kit.Events[1].Type, Is.EqualTo(AlertEventType.Cleared));
    }

    [Test]
    public void Process_RaiseAfterClear_NewAlertWithNewId()
    {
        var kit = new DetectionTestKit();
        kit.Feed(1, 0, 30);
        kit.Feed(2, 10, 0);
        kit.Feed(3, 40, 0);
        kit.Feed(4, 50, 26);

        Assert.That(kit.Events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared, AlertEventType.Raised }));
        Assert.That(kit.Events[2].Id, Is.Not.EqualTo(kit.Events[0].Id));
        Assert.That(kit.Events[2].RaisedAtMs, Is.EqualTo(DetectionTestKit.T0 + 50_000));
        Assert.That(kit.Events[2].Count, Is.EqualTo(1));
        Assert.That(kit.Events[2].PeakValue, Is.EqualTo(26));
    }

    [Test]
    public void Process_SameInputTwice_SameEventsAndIds()
    {
        static List<AlertEvent> Run()
        {
            var kit = new DetectionTestKit();
            kit.FeedSeries(0, 27, 51, 10, 10, 10);
            kit.Feed(7, 100, 12);
            kit.Feed(8, 110, 45);
            return kit.Events;
        }

        var first = Run();
        var second = Run();

        Assert.That(first, Has.Count.EqualTo(4));
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Process_OnDelay_RaisesOnlyAfterConditionHeldForIt()
    {
        var kit = new DetectionTestKit(DetectionOptions.Default with
        {
            Methane = MethaneDetectorOptions.Default with { OnDelay = TimeSpan.FromSeconds(10) },
        });

        kit.Feed(1, 0, 30);
        kit.Feed(2, 5, 10);   // falls back: on-delay abandoned
        kit.Feed(3, 10, 30);
        kit.Feed(4, 19, 30);
        Assert.That(kit.Events, Is.Empty);

        kit.Feed(5, 20, 30);
        Assert.That(kit.Events, Has.Count.EqualTo(1));
        Assert.That(kit.Events[0].RaisedAtMs, Is.EqualTo(DetectionTestKit.T0 + 20_000));
        Assert.That(kit.Events[0].Count, Is.EqualTo(3));
    }

    [Test]
    public void Process_ReadingWithNaN_NeitherConfirmsNorClears()
    {
        var kit = new DetectionTestKit(DetectionOptions.Default with
        {
            Methane = MethaneDetectorOptions.Default with { OffDelay = TimeSpan.Zero },
        });

        kit.Feed(1, 0, double.NaN);
        kit.Feed(2, 1, 30);
        kit.Feed(3, 2, double.NaN);
        Assert.That(kit.Events, Has.Count.EqualTo(1));

        kit.Feed(4, 3, 10);   // zero off-delay: the first reading below clears
        Assert.That(kit.Events, Has.Count.EqualTo(2));
        Assert.That(kit.Events[1].Count, Is.EqualTo(1));
    }

    [Test]
    public void Process_DistrictOverride_TunnelAlarmsAt20Lel()
    {
        var kit = new DetectionTestKit(DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    ["tunnel-1"] = o => o with { Methane = o.Methane with { Level1Lel = 20, Level2Lel = 35 } },
                },
            },
        });
        kit.Registry.Upsert([new Sensing.Core.Devices.DeviceInfo("md-tunnel", Sensing.Core.Devices.DeviceKind.MethaneDetector, "tunnel-1", 30, "")]);

        kit.Feed(1, 0, 21);                 // default district: below 25 %LEL
        kit.Feed(1, 0, 21, "md-tunnel");    // GB 50838 tunnel: alarm at 20 %LEL
        kit.Feed(2, 1, 36, "md-tunnel");

        Assert.That(kit.Events.Select(e => (e.Source, e.Type, e.Severity)), Is.EqualTo(new[]
        {
            ("md-tunnel", AlertEventType.Raised, AlertSeverity.High),
            ("md-tunnel", AlertEventType.Updated, AlertSeverity.Critical),
        }));
    }

    [Test]
    public void Constructor_BadDistrictOverride_ThrowsNamingIt()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange> { ["tunnel-1"] = o => o with { Methane = o.Methane with { Level2Lel = 10 } } },
            },
        };

        Assert.That(
            () => new DetectionEngine(options, new Sensing.Core.Devices.DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Districts[tunnel-1].Level2Lel"));
    }
}
