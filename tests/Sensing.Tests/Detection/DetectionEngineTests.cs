using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Gas;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionEngineTests
{
    [Test]
    public void Process_SameSequenceAgain_CountedAsDuplicateAndSkipped()
    {
        var kit = new DetectionTestKit();
        kit.Feed(5, 0, 10);

        kit.Feed(5, 1, 40);   // same sequence, different content: still a duplicate
        kit.Feed(4, 2, 60);   // older sequence

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Processed, Is.EqualTo(1));
        Assert.That(kit.Engine.Duplicates, Is.EqualTo(2));
    }

    [Test]
    public void Process_ReplayOfWholeStream_ProducesNoFurtherEvents()
    {
        var kit = new DetectionTestKit();
        kit.FeedSeries(10, 30, 55, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);
        var events = kit.Events.ToList();
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Updated, AlertEventType.Cleared }));

        kit.FeedSeries(10, 30, 55, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);

        Assert.That(kit.Events, Is.EqualTo(events));
        Assert.That(kit.Engine.Duplicates, Is.EqualTo(34));
        Assert.That(kit.Engine.Processed, Is.EqualTo(34));
    }

    [Test]
    public void Process_DeviceOfAnotherKind_Ignored()
    {
        var kit = new DetectionTestKit();

        kit.Feed(1, 0, 80, DetectionTestKit.Charger);
        kit.Feed(2, 1, 90, DetectionTestKit.Charger);

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Engine.Processed, Is.EqualTo(2));
        Assert.That(kit.Engine.Methane.ActiveCount, Is.Zero);
    }

    [Test]
    public void Process_DeviceRegisteredAfterEngineCreated_StateGrows()
    {
        var kit = new DetectionTestKit();
        kit.Registry.Upsert([new DeviceInfo("md-99999", DeviceKind.MethaneDetector, "huangdao-1", 30, "")]);

        kit.Feed(1, 0, 26, "md-99999");
        kit.Feed(1, 0, 26, "md-99999");

        Assert.That(kit.Events, Has.Count.EqualTo(1));
        Assert.That(kit.Events[0].Source, Is.EqualTo("md-99999"));
        Assert.That(kit.Events[0].District, Is.EqualTo("huangdao-1"));
        Assert.That(kit.Engine.Duplicates, Is.EqualTo(1));
    }

    [Test]
    public void Process_UnregisteredDeviceNumber_Throws()
    {
        var kit = new DetectionTestKit();
        var frame = new byte[TelemetryFrame.MaxLength];
        var length = TelemetryFrame.Write(frame, "md-00042"u8, DeviceKind.MethaneDetector, 0, 0, 1, TraceContext.None, []);

        Assert.That(
            () =>
            {
                TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                kit.Engine.Process(2, reading);
            },
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("deviceNumber"));
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        var d = MethaneDetectorOptions.Default;
        yield return new TestCaseData(d with { Level2Lel = 25 }, "Level2Lel").SetName("Options_Level2EqualToLevel1");
        yield return new TestCaseData(d with { Level1Lel = 60 }, "Level2Lel").SetName("Options_Level2BelowLevel1");
        yield return new TestCaseData(d with { Level1Lel = 0 }, "Level1Lel").SetName("Options_Level1Zero");
        yield return new TestCaseData(d with { Level1Lel = double.NaN }, "Level1Lel").SetName("Options_Level1NaN");
        yield return new TestCaseData(d with { DeadbandLel = -1 }, "DeadbandLel").SetName("Options_DeadbandNegative");
        yield return new TestCaseData(d with { DeadbandLel = 25 }, "DeadbandLel").SetName("Options_DeadbandSwallowsLevel1");
        yield return new TestCaseData(d with { OffDelay = TimeSpan.FromSeconds(-1) }, "OffDelay").SetName("Options_OffDelayNegative");
        yield return new TestCaseData(d with { OnDelay = TimeSpan.FromSeconds(-1) }, "OnDelay").SetName("Options_OnDelayNegative");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadMethaneOption_ThrowsNamingIt(MethaneDetectorOptions methane, string option)
    {
        var options = DetectionOptions.Default with { Methane = methane };

        Assert.That(
            () => new DetectionEngine(options, new DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo(option).And.Message.Contains(option));
    }

    [Test]
    public void Constructor_DefaultOptions_Accepted()
    {
        var engine = new DetectionEngine(DetectionOptions.Default, new DeviceRegistry(), new RecordingSink());

        Assert.That(engine.Methane.Options, Is.EqualTo(MethaneDetectorOptions.Default));
        Assert.That(engine.Methane.Options.Level1Lel, Is.EqualTo(25));
        Assert.That(engine.Methane.Options.Level2Lel, Is.EqualTo(50));
    }
}
