using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Commands;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Gas;
using static Sensing.Tests.Detection.FleetTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class GasMeterDetectorTests
{
    private const double Hour = 3600;

    [Test]
    public void Process_SmallFlowNeverZeroFor24Hours_RaisesMicroLeakAt24Hours()
    {
        var kit = new FleetTestKit();

        for (var h = 0; h < 24; h++)
        {
            kit.Feed(Meter, h * Hour, Flow(0.02), Volume(100 + (h * 0.02)));
        }

        Assert.That(kit.Events, Is.Empty, "23 h of flow is not yet a micro-leak");
        kit.Feed(Meter, 24 * Hour, Flow(0.02), Volume(100.48));

        var raised = kit.Of(AlertCondition.MeterMicroLeak).Single();
        Assert.Multiple(() =>
        {
            Assert.That(raised.Type, Is.EqualTo(AlertEventType.Raised));
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Medium));
            Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + (long)(24 * Hour * 1000)));
            Assert.That(raised.Id, Is.EqualTo(AlertId.Create(Meter, AlertCondition.MeterMicroLeak, raised.RaisedAtMs)));
            Assert.That(raised.Count, Is.EqualTo(25));
            Assert.That(raised.DeviceKind, Is.EqualTo("gas-meter"));
            Assert.That(kit.Events, Has.Count.EqualTo(1), "0.02 m3/h is below the long-use flow");
        });
    }

    [Test]
    public void Process_FlowBackToZeroOnce_MicroLeakWindowStartsOver()
    {
        var kit = new FleetTestKit();
        for (var h = 0; h <= 30; h++)
        {
            // A single zero reading at hour 12 proves the flow stops: 30 h of flow, never 24 h unbroken.
            kit.Feed(Meter, h * Hour, Flow(h == 12 ? 0 : 0.05), Volume(100 + (h * 0.05)));
        }

        Assert.That(kit.Of(AlertCondition.MeterMicroLeak), Is.Empty);
        kit.Feed(Meter, 36 * Hour, Flow(0.05), Volume(102));
        Assert.That(kit.Of(AlertCondition.MeterMicroLeak), Is.Empty, "23 h since the zero reading");
        kit.Feed(Meter, 37 * Hour, Flow(0.05), Volume(102.05));
        Assert.That(kit.Of(AlertCondition.MeterMicroLeak).Single().RaisedAtMs, Is.EqualTo(T0 + (long)(37 * Hour * 1000)));
    }

    [Test]
    public void Process_MicroLeakThenZeroFlow_Clears()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0.02));
        kit.Feed(Meter, 24 * Hour, Flow(0.02));

        kit.Feed(Meter, 25 * Hour, Flow(0));

        var events = kit.Of(AlertCondition.MeterMicroLeak);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[1].ClearedAtMs, Is.EqualTo(T0 + (long)(25 * Hour * 1000)));
        Assert.That(kit.Engine.GasMeter.ActiveCount(AlertCondition.MeterMicroLeak), Is.Zero);
    }

    [Test]
    public void Process_StuckFlowWithFrozenVolumeRegister_RaisesNothing()
    {
        var kit = new FleetTestKit();

        // Trap: the flow sensor is stuck at 0.8 m3/h for two days while the volume register does not move.
        for (var h = 0; h <= 48; h++)
        {
            kit.Feed(Meter, h * Hour, Flow(0.8), Volume(250));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_NoisyFlowAroundUse_RaisesNothing()
    {
        var kit = new FleetTestKit();
        var random = new Random(7);
        var volume = 100.0;

        // Trap: two days of noisy household use every 15 min; the meter sees no flow at least once every few hours.
        for (var i = 0; i < 192; i++)
        {
            var flow = i % 12 == 0 ? 0 : Math.Round(random.NextDouble() * 2.5, 3);
            volume += flow / 4;
            kit.Feed(Meter, i * 900, Flow(flow), Volume(volume));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_FlowNearQmaxForRuptureDuration_RaisesCriticalAndCommandsValveClosed()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(0.5), Volume(10));

        for (var m = 1; m <= 5; m++)
        {
            kit.Feed(Meter, m * 60, Flow(5.6), Volume(10 + (m * 0.09)));
        }

        Assert.That(kit.Of(AlertCondition.MeterRupture), Is.Empty, "4 minutes above the limit is not yet a rupture");
        kit.Feed(Meter, 6 * 60, Flow(5.6), Volume(10.6));

        var raised = kit.Of(AlertCondition.MeterRupture).Single();
        var command = kit.Sink.Commands.Single();
        Assert.Multiple(() =>
        {
            Assert.That(raised.Severity, Is.EqualTo(AlertSeverity.Critical));
            Assert.That(raised.RaisedAtMs, Is.EqualTo(T0 + 360_000));
            Assert.That(command.Device, Is.EqualTo(Meter));
            Assert.That(command.Command, Is.EqualTo(DeviceCommandNames.ValveClose));
            Assert.That(command.AlertId, Is.EqualTo(raised.Id));
            Assert.That(command.IssuedAtMs, Is.EqualTo(T0 + 360_000));
            Assert.That(command.Id, Is.EqualTo("c-" + raised.Id[2..] + "-valve-close"));
            Assert.That(kit.Engine.GasMeter.CommandsIssued, Is.EqualTo(1));
        });
    }

    [Test]
    public void Process_ValveClosedAfterRupture_RuptureClearsNoValveFault()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(5.8));
        kit.Feed(Meter, 300, Flow(5.8));

        kit.Feed(Meter, 330, Flow(0), Valve(false));

        Assert.That(kit.Of(AlertCondition.MeterRupture).Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(kit.Of(AlertCondition.MeterValveFault), Is.Empty);
    }

    [Test]
    public void Process_ValveStillOpenLongAfterCloseCommand_RaisesValveFault()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(5.8));
        kit.Feed(Meter, 300, Flow(5.8));

        kit.Feed(Meter, 360, Flow(5.8), Valve(true));
        Assert.That(kit.Of(AlertCondition.MeterValveFault), Is.Empty, "the valve has 2 minutes to close");
        kit.Feed(Meter, 420, Flow(5.8), Valve(true));

        var fault = kit.Of(AlertCondition.MeterValveFault).Single();
        Assert.That(fault.Severity, Is.EqualTo(AlertSeverity.High));
        Assert.That(fault.Message, Does.Contain("still open after a close command"));
    }

    [Test]
    public void Process_SingleFlowSpikeAboveQmax_RaisesNothing()
    {
        var kit = new FleetTestKit();

        kit.Feed(Meter, 0, Flow(0.4));
        kit.Feed(Meter, 60, Flow(9.5));
        kit.Feed(Meter, 120, Flow(0.4));
        kit.Feed(Meter, 900, Flow(0.4));

        Assert.That(kit.Events, Is.Empty);
        Assert.That(kit.Sink.Commands, Is.Empty);
    }

    [Test]
    public void Process_BigConsumerJustBelowRuptureLimitForHours_RaisesNothing()
    {
        var kit = new FleetTestKit();

        // Trap: a legitimate large load at 85 % of Qmax (limit 90 % = 5.4 m3/h) for 3 hours, reported every minute.
        for (var m = 0; m <= 180; m++)
        {
            kit.Feed(Meter, m * 60, Flow(5.1), Volume(m * 0.085));
        }

        Assert.That(kit.Events, Is.Empty);
    }

    [Test]
    public void Process_MeterWithSmallQmaxParameter_RuptureLimitFollowsIt()
    {
        var kit = new FleetTestKit();

        // SmallMeter has qmax=2.5: its limit is 2.25 m3/h, far below the 6 m3/h meter's.
        kit.Feed(SmallMeter, 0, Flow(2.3));
        kit.Feed(SmallMeter, 300, Flow(2.3));
        kit.Feed(Meter, 0, Flow(2.3));
        kit.Feed(Meter, 300, Flow(2.3));

        Assert.That(kit.Of(AlertCondition.MeterRupture).Select(e => e.Source), Is.EqualTo(new[] { SmallMeter }));
    }

    [Test]
    public void Process_DistrictOverride_AppliesOnlyToThatDistrict()
    {
        var kit = new FleetTestKit(DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    [District] = o => o with { GasMeter = o.GasMeter with { RuptureDuration = TimeSpan.Zero, CloseValveOnRupture = false } },
                },
            },
        });

        kit.Feed(Meter, 0, Flow(5.6));          // District: raised on the first reading, no command
        kit.Feed(SmallMeter, 0, Flow(2.4));     // OtherDistrict: default 5 minutes

        Assert.That(kit.Of(AlertCondition.MeterRupture).Select(e => e.Source), Is.EqualTo(new[] { Meter }));
        Assert.That(kit.Sink.Commands, Is.Empty);
        Assert.That(kit.Engine.GasMeter.CommandsIssued, Is.Zero);
    }

    [Test]
    public void Process_RegistryReplacesMeterRecord_NewQmaxUsedFromTheNextReading()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Flow(3.0));
        kit.Feed(Meter, 300, Flow(3.0));
        Assert.That(kit.Of(AlertCondition.MeterRupture), Is.Empty, "3 m3/h is below 90 % of qmax 6");

        kit.Registry.Upsert([new Core.Devices.DeviceInfo(Meter, Core.Devices.DeviceKind.GasMeter, District, 900, "") { Parameters = Core.Devices.DeviceParameters.Parse("qmax=2.5") }]);
        kit.Feed(Meter, 600, Flow(3.0));
        kit.Feed(Meter, 900, Flow(3.0));

        Assert.That(kit.Of(AlertCondition.MeterRupture).Single().RaisedAtMs, Is.EqualTo(T0 + 900_000));
    }

    [Test]
    public void Process_QmaxParameterNotANumber_DefaultQmaxUsedAndCounted()
    {
        var kit = new FleetTestKit();
        kit.Registry.Upsert([new Core.Devices.DeviceInfo("gm-bad", Core.Devices.DeviceKind.GasMeter, District, 900, "") { Parameters = Core.Devices.DeviceParameters.Parse("qmax=six") }]);

        kit.Feed("gm-bad", 0, Flow(5.5));
        kit.Feed("gm-bad", 300, Flow(5.5));

        Assert.That(kit.Engine.GasMeter.BadParameters, Is.EqualTo(1));
        Assert.That(kit.Of(AlertCondition.MeterRupture).Single().Source, Is.EqualTo("gm-bad"), "watched with the default 6 m3/h");
    }

    [Test]
    public void Process_UseWithoutBreakFor10Hours_RaisesLongUseThenClearsWhenUseStops()
    {
        var kit = new FleetTestKit();
        for (var i = 0; i <= 40; i++)
        {
            kit.Feed(Meter, i * 900, Flow(1.2), Volume(i * 0.3));
        }

        kit.Feed(Meter, 41 * 900, Flow(0), Volume(12.3));

        var events = kit.Of(AlertCondition.MeterLongUse);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + (10 * 3_600_000L)));
        Assert.That(events[0].Severity, Is.EqualTo(AlertSeverity.Medium));
    }

    [Test]
    public void Process_TamperBit_RaisedAtOnceAndClearedWhenBitsClear()
    {
        var kit = new FleetTestKit();
        kit.Feed(Meter, 0, Bits(0));

        kit.Feed(Meter, 60, Bits(GasMeterAlarmBits.Tamper | GasMeterAlarmBits.LowBattery));
        kit.Feed(Meter, 120, Bits(GasMeterAlarmBits.MagneticInterference));
        kit.Feed(Meter, 180, Bits(GasMeterAlarmBits.LowBattery));

        var events = kit.Of(AlertCondition.MeterTamper);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].RaisedAtMs, Is.EqualTo(T0 + 60_000));
        Assert.That(events[0].Message, Does.Contain("tamper"));
        Assert.That(events[1].Count, Is.EqualTo(2));
    }

    [Test]
    public void Process_ValveFaultBit_RaisesValveFault()
    {
        var kit = new FleetTestKit();

        kit.Feed(Meter, 0, Bits(GasMeterAlarmBits.ValveFault), Valve(true));
        kit.Feed(Meter, 60, Bits(0), Valve(true));

        var events = kit.Of(AlertCondition.MeterValveFault);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Cleared }));
        Assert.That(events[0].Message, Does.Contain("reported by the meter"));
    }

    [Test]
    public void Process_AlarmBitsNotAWholeNumber_Ignored()
    {
        var kit = new FleetTestKit();

        kit.Feed(Meter, 0, new MetricValue(Metric.AlarmBits, 1.5));
        kit.Feed(Meter, 60, new MetricValue(Metric.AlarmBits, -1));

        Assert.That(kit.Events, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        var d = GasMeterDetectorOptions.Default;
        yield return new TestCaseData(d with { RuptureFractionOfQmax = 0 }, "RuptureFractionOfQmax").SetName("GasMeterOptions_RuptureFractionZero");
        yield return new TestCaseData(d with { DefaultQmaxM3h = double.NaN }, "DefaultQmaxM3h").SetName("GasMeterOptions_QmaxNaN");
        yield return new TestCaseData(d with { MicroLeakWindow = TimeSpan.Zero }, "MicroLeakWindow").SetName("GasMeterOptions_MicroLeakWindowZero");
        yield return new TestCaseData(d with { ZeroFlowM3h = 0.5 }, "ZeroFlowM3h").SetName("GasMeterOptions_ZeroFlowAboveLongUseFlow");
        yield return new TestCaseData(d with { FlowDeadband = 1 }, "FlowDeadband").SetName("GasMeterOptions_DeadbandWhole");
    }

    [Test]
    public void Constructor_BadDistrictOverride_ThrowsNamingIt()
    {
        var options = DetectionOptions.Default with
        {
            Overrides = new DetectionOverrides
            {
                Districts = new Dictionary<string, OptionsChange>
                {
                    ["laoshan-3"] = o => o with { GasMeter = o.GasMeter with { RuptureDuration = TimeSpan.FromSeconds(-1) } },
                },
            },
        };

        Assert.That(
            () => new DetectionEngine(options, new Core.Devices.DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Districts[laoshan-3].RuptureDuration"));
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadGasMeterOption_ThrowsNamingIt(GasMeterDetectorOptions gasMeter, string option)
    {
        var options = DetectionOptions.Default with { GasMeter = gasMeter };

        Assert.That(
            () => new DetectionEngine(options, new Core.Devices.DeviceRegistry(), new RecordingSink()),
            Throws.ArgumentException.With.Property("ParamName").EqualTo(option).And.Message.Contains(option));
    }
}
