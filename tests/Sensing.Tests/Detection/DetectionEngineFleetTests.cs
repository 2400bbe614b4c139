using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Telemetry;
using static Sensing.Tests.Detection.FleetTestKit;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionEngineFleetTests
{
    /// <summary>
    /// Two hours of a small mixed fleet with a rupture, a charger out of service, a device falling silent and a
    /// low battery; the event-time tick runs every <paramref name="tickSeconds"/>.
    /// </summary>
    private static FleetTestKit Run(int tickSeconds)
    {
        var kit = new FleetTestKit();
        for (var s = 0; s <= 7_200; s += 30)
        {
            kit.Feed(Detector, s, new MetricValue(Metric.MethaneLel, 2), Battery(s < 3_000 ? 3.6 : 3.1));
            if (s <= 600)
            {
                kit.Feed(Charger, s, Status(s < 120 ? ChargerStatus.Charging : ChargerStatus.Faulted));
            }

            if (s % 900 == 0)
            {
                kit.Feed(Meter, s, Flow(s is >= 1_800 and <= 2_700 ? 5.9 : 0.3), Volume(s / 100.0));
            }

            if (s % tickSeconds == 0)
            {
                kit.AdvanceTo(s);
            }
        }

        return kit;
    }

    [Test]
    public void ProcessAndAdvance_MixedFleet_ExpectedAlertsOnce()
    {
        var kit = Run(tickSeconds: 30);

        var raised = kit.Events.Where(e => e.Type == AlertEventType.Raised).Select(e => (e.Source, e.Condition)).ToList();
        Assert.That(raised, Is.EquivalentTo(new[]
        {
            (Meter, "gas.meter-rupture"),
            (Charger, "charger.out-of-service"),
            (Charger, "device.offline"),
            (Detector, "device.low-battery"),
        }));
        Assert.That(kit.Sink.Commands, Has.Count.EqualTo(1));
    }

    [Test]
    public void ProcessAndAdvance_TickEvery30sOr10Min_SameAlertIdsAndRaiseTimes()
    {
        static List<(string, long)> Raised(FleetTestKit kit) =>
            kit.Events.Where(e => e.Type == AlertEventType.Raised).Select(e => (e.Id, e.RaisedAtMs)).OrderBy(x => x.Id).ToList();

        var often = Raised(Run(tickSeconds: 30));
        var seldom = Raised(Run(tickSeconds: 600));

        Assert.That(often, Has.Count.EqualTo(4));
        Assert.That(seldom, Is.EqualTo(often));
    }

    [Test]
    public void Process_SameStreamInFreshEngine_SameAlertAndCommandIds()
    {
        var kit = new FleetTestKit();
        var frames = new List<(string Device, double Seconds, MetricValue[] Metrics)>();
        for (var s = 0; s <= 1_200; s += 60)
        {
            frames.Add((Meter, s, [Flow(5.9), Volume(s / 10.0), Bits(s == 600 ? GasMeterAlarmBits.Tamper : 0)]));
            frames.Add((Charger, s, [Error(s is >= 300 and < 900 ? ChargerError.GroundFailure : ChargerError.NoError)]));
        }

        foreach (var (device, seconds, metrics) in frames)
        {
            kit.Feed(device, seconds, metrics);
        }

        var events = kit.Events.ToList();
        var commands = kit.Sink.Commands.ToList();
        Assert.That(events, Has.Count.GreaterThanOrEqualTo(5), "rupture raised, tamper raised and cleared, safety raised and cleared");

        // A restarted processor re-deriving the stream must name every alert and command the same way.
        var replay = new FleetTestKit();
        foreach (var (device, seconds, metrics) in frames)
        {
            replay.Feed(device, seconds, metrics);
        }

        Assert.That(replay.Events.Select(e => (e.Id, e.Type)), Is.EqualTo(events.Select(e => (e.Id, e.Type))), "a fresh engine derives the same ids");
        Assert.That(replay.Sink.Commands.Select(c => c.Id), Is.EqualTo(commands.Select(c => c.Id)));
    }
}
