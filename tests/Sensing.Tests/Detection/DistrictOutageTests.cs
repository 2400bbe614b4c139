using System.Buffers;
using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Detection.Health;

namespace Sensing.Tests.Detection;

/// <summary>
/// A district losing its devices at once (a cell tower or gateway outage) is one district alert listing them, not
/// one offline alert per device (DOMAIN.md: group storms).
/// </summary>
[TestFixture]
public sealed partial class DistrictOutageTests
{
    private const string North = "north";
    private const string South = "south";
    private const long T0 = 1_750_000_000_000;

    [Test]
    public void AdvanceTo_TenDevicesOfADistrictSilent_OneDistrictAlertListingThem()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);

        // Deadlines at 90 s + 0..9 s; the watermark jumps past all of them at once.
        fleet.AdvanceTo(200);

        var live = fleet.ActiveOffline();
        Assert.Multiple(() =>
        {
            Assert.That(live, Has.Count.EqualTo(1), string.Join("\n", fleet.Events.Select(e => $"{e.Type} {e.Source} {e.Message}")));
            Assert.That(live[0].Source, Is.EqualTo(North));
            Assert.That(live[0].Devices, Is.EquivalentTo(fleet.NorthDevices));
            Assert.That(live[0].Severity, Is.EqualTo(AlertSeverity.High));

            // The first four raised device alerts; the fifth made it a district outage and they were folded in. The
            // later five joined it, published as one update a minute after the raise.
            var raisedAt = T0 + 94_000;
            Assert.That(live[0].Type, Is.EqualTo(AlertEventType.Updated));
            Assert.That(live[0].EventTimeMs, Is.EqualTo(raisedAt + 60_000));
            Assert.That(live[0].Id, Is.EqualTo(AlertId.Create(North, AlertCondition.DeviceOffline, raisedAt)));
            Assert.That(fleet.Events.Count(e => e.Type == AlertEventType.Raised && e.Source != North), Is.EqualTo(4));
            Assert.That(fleet.Engine.Health.ActiveCount(AlertCondition.DeviceOffline), Is.Zero);
            Assert.That(fleet.Engine.Health.TryGetOutage(North, out _, out var members) && members == 10, Is.True);
        });
    }

    [Test]
    public void AdvanceTo_SameSilence_SameAlertsWhateverTheWatermarkSteps()
    {
        var jumped = new Fleet();
        jumped.HearAll(0);
        jumped.AdvanceTo(200);

        var stepped = new Fleet();
        stepped.HearAll(0);
        for (var s = 80; s <= 200; s++)
        {
            stepped.AdvanceTo(s);
        }

        Assert.That(stepped.Events.Select(e => (e.Id, e.Type)), Is.EqualTo(jumped.Events.Select(e => (e.Id, e.Type))));
    }

    [Test]
    public void AdvanceTo_FourDevicesSilent_FourDeviceAlertsAndNoDistrictAlert()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);
        for (var s = 30; s <= 200; s += 30)
        {
            foreach (var id in fleet.NorthDevices.Skip(4))
            {
                fleet.Hear(id, s);
            }

            foreach (var id in fleet.SouthDevices)
            {
                fleet.Hear(id, s);
            }
        }

        fleet.AdvanceTo(200);

        Assert.That(fleet.ActiveOffline().Select(e => e.Source), Is.EquivalentTo(fleet.NorthDevices.Take(4)));
    }

    [Test]
    public void Process_DevicesReturn_OutageUpdatedThenClearedAndTheLastSilentOnesGetDeviceAlerts()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);
        fleet.AdvanceTo(200);
        Assert.That(fleet.Engine.Health.ActiveOutages, Is.EqualTo(1));

        // Eight come back; two stay silent. Below half the threshold (5 / 2, rounded up: 3) the outage clears.
        foreach (var id in fleet.NorthDevices.Take(8))
        {
            fleet.Hear(id, 300);
        }

        fleet.AdvanceTo(380);

        var outage = fleet.Events.Where(e => e.Source == North).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(outage.Select(e => e.Type), Is.EqualTo(new[] { AlertEventType.Raised, AlertEventType.Updated, AlertEventType.Cleared }));
            Assert.That(outage[0].Devices, Has.Length.EqualTo(5), "the raise lists the five that made the threshold");
            Assert.That(outage[1].Devices, Has.Length.EqualTo(10), "the update a minute later lists all ten");
            Assert.That(outage[2].Devices, Is.EquivalentTo(fleet.NorthDevices.Skip(8)), "the clear lists the two still silent");
            Assert.That(outage[2].ClearedAtMs, Is.EqualTo(T0 + 300_000));
            Assert.That(fleet.Engine.Health.ActiveOutages, Is.Zero);
            Assert.That(fleet.ActiveOffline().Select(e => e.Source), Is.EquivalentTo(fleet.NorthDevices.Skip(8).Concat(fleet.SouthDevices)),
                "the north's last two silent, and the south's two (silent since 240 s, below the threshold): device alerts");
        });
    }

    [Test]
    public void Process_WillsFireDuringAnOutage_JoinItWithoutDeviceAlerts()
    {
        var fleet = new Fleet();
        fleet.HearAll(0);
        foreach (var id in fleet.NorthDevices.Take(5))
        {
            fleet.ConnectionLost(id, 10);
        }

        fleet.ConnectionLost(fleet.NorthDevices[5], 11);
        fleet.AdvanceTo(69);

        Assert.Multiple(() =>
        {
            Assert.That(fleet.Events.Count(e => e.Type == AlertEventType.Raised && e.Source != North), Is.EqualTo(4));
            Assert.That(fleet.Engine.Health.TryGetOutage(North, out _, out var members) && members == 6, Is.True);
            Assert.That(fleet.Events.Last().Devices, Has.Length.EqualTo(5), "the join waits for the update a minute after the raise");
        });

        fleet.AdvanceTo(75);
        var update = fleet.Events.Last();
        Assert.That((update.Source, update.Type, update.EventTimeMs, update.Devices!.Length), Is.EqualTo((North, AlertEventType.Updated, T0 + 70_000, 6)));
    }

    [Test]
    public void Options_GroupingOff_OneAlertPerDevice()
    {
        var fleet = new Fleet(DeviceHealthOptions.Default with { DistrictOfflineMinDevices = 0 });
        fleet.HearAll(0);
        fleet.AdvanceTo(200);

        Assert.That(fleet.ActiveOffline(), Has.Count.EqualTo(10));
    }

    [Test]
    public void RestoreSnapshot_DuringAnOutage_RestoredEngineClearsTheSameAlert()
    {
        var original = new Fleet();
        original.HearAll(0);
        original.AdvanceTo(200);
        var restored = new Fleet();
        restored.RestoreFrom(original);
        var before = original.Events.Count;
        foreach (var fleet in new[] { original, restored })
        {
            foreach (var id in fleet.NorthDevices)
            {
                fleet.Hear(id, 300);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(restored.Engine.Health.TryGetOutage(North, out _, out _), Is.False);
            Assert.That(restored.Events.Select(e => (e.Id, e.Type, e.Source)), Is.EqualTo(original.Events.Skip(before).Select(e => (e.Id, e.Type, e.Source))));
            Assert.That(restored.Events.Single(e => e.Source == North).Type, Is.EqualTo(AlertEventType.Cleared));
        });
    }

    [Test]
    public void Options_ThresholdOfOne_RefusedNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() => (DeviceHealthOptions.Default with { DistrictOfflineMinDevices = 1 }).Validate());
        Assert.That(error!.Message, Does.Contain(nameof(DeviceHealthOptions.DistrictOfflineMinDevices)));
    }

    /// <summary>Ten methane detectors (30 s interval, offline after 90 s) in the north, two in the south.</summary>
    private sealed class Fleet
    {
        private readonly byte[] _frame = new byte[TelemetryFrame.MaxLength];
        private readonly RecordingAlertAndCommandSink _sink = new();

        public Fleet(DeviceHealthOptions? health = null)
        {
            NorthDevices = Enumerable.Range(1, 10).Select(i => $"md-n{i:00}").ToArray();
            SouthDevices = ["md-s01", "md-s02"];
            Registry.Upsert([
                .. NorthDevices.Select(id => new DeviceInfo(id, DeviceKind.MethaneDetector, North, 30, "")),
                .. SouthDevices.Select(id => new DeviceInfo(id, DeviceKind.MethaneDetector, South, 30, "")),
            ]);
            Engine = new DetectionEngine(DetectionOptions.Default with { Health = health ?? DeviceHealthOptions.Default }, Registry, _sink);
        }

        public string[] NorthDevices { get; }

        public string[] SouthDevices { get; }

        public DeviceRegistry Registry { get; } = new();

        public DetectionEngine Engine { get; }

        public List<AlertEvent> Events => _sink.Events;

        /// <summary>Restores into this fleet's engine a snapshot of every device of <paramref name="source"/>'s.</summary>
        public void RestoreFrom(Fleet source)
        {
            var snapshot = new ArrayBufferWriter<byte>();
            source.Engine.WriteSnapshot(Enumerable.Range(0, source.Registry.Count).ToArray(), snapshot);
            Engine.RestoreSnapshot(snapshot.WrittenSpan);
        }

        /// <summary>Offline alerts raised and not cleared, by id.</summary>
        public List<AlertEvent> ActiveOffline() => Events
            .Where(e => e.Condition == AlertCondition.DeviceOffline.Name())
            .GroupBy(e => e.Id)
            .Where(g => g.Last().Type != AlertEventType.Cleared)
            .Select(g => g.Last())
            .ToList();

        /// <summary>Every device heard: the north ones from <paramref name="seconds"/> one second apart, the south ones 150 s later.</summary>
        public void HearAll(double seconds)
        {
            for (var i = 0; i < NorthDevices.Length; i++)
            {
                Hear(NorthDevices[i], seconds + i);
            }

            foreach (var id in SouthDevices)
            {
                Hear(id, 150 + seconds);
            }
        }

        public void Hear(string id, double seconds) => Write(id, seconds, (ulong)(seconds * 1000) + 1, new MetricValue(Metric.MethaneLel, 1));

        public void ConnectionLost(string id, double seconds) => Write(id, seconds, 0, new MetricValue(Metric.Online, 0));

        public void AdvanceTo(double seconds) => Engine.AdvanceTo(T0 + (long)(seconds * 1000));

        private void Write(string id, double seconds, ulong sequence, MetricValue metric)
        {
            Assert.That(Registry.TryFind(id, out _), Is.True, id);
            var at = T0 + (long)(seconds * 1000);
            var length = TelemetryFrame.Write(_frame, Encoding.ASCII.GetBytes(id), DeviceKind.MethaneDetector, at, at, sequence, TraceContext.None, [metric]);
            Assert.That(TelemetryFrame.TryDecode(_frame.AsSpan(0, length), out var reading, out var error), Is.True, error.ToString());
            Assert.That(Registry.TryFind(Encoding.ASCII.GetBytes(id), out var number), Is.True);
            Engine.Process(number, reading);
        }
    }
}
