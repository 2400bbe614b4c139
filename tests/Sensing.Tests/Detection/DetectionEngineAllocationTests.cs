using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionEngineAllocationTests
{
    private const int Devices = 100;
    private const int Readings = 100_000;

    [Test]
    public void Process_SteadyStateBelowThreshold_AllocatesNothing()
    {
        var registry = new DeviceRegistry();
        var devices = new DeviceInfo[Devices];
        for (var i = 0; i < Devices; i++)
        {
            devices[i] = new DeviceInfo($"md-{i:D5}", i % 10 == 0 ? DeviceKind.GasMeter : DeviceKind.MethaneDetector, "laoshan-3", 30, "");
        }

        registry.Upsert(devices);
        var ids = Array.ConvertAll(devices, d => Encoding.ASCII.GetBytes(d.Id));
        var sink = new DetectionTestKitSinkCounter();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[2];
        ulong sequence = 0;

        void Run()
        {
            for (var i = 0; i < Readings; i++)
            {
                var device = i % Devices;
                sequence++;

                // Cycles 0-24 %LEL: never reaches level 1. Every fifth device also reports a battery voltage.
                metrics[0] = new MetricValue(Metric.BatteryVolts, 3.6);
                metrics[1] = new MetricValue(Metric.MethaneLel, i % 25);
                var used = device % 5 == 1 ? metrics.AsSpan() : metrics.AsSpan(1);
                var length = TelemetryFrame.Write(frame, ids[device], devices[device].Kind, 1_750_000_000_000 + i, 0, sequence, TraceContext.None, used);
                TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                engine.Process(device, reading);

                // Every hundredth reading is a replay of the previous one, exercising the duplicate path.
                if (i % 100 == 0)
                {
                    engine.Process(device, reading);
                }
            }
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(sink.Count, Is.Zero, "the workload must stay below the alarm level");
        Assert.That(engine.Processed, Is.EqualTo(2 * Readings));
        Assert.That(engine.Duplicates, Is.EqualTo(2 * Readings / 100));
        Assert.That(allocated, Is.Zero, $"{(double)allocated / Readings:0.###} B per reading");
    }

    [Test]
    public void ProcessAndAdvance_SteadyStateMixedFleetEveryKind_AllocatesNothing()
    {
        const int PerKind = 20;
        var kinds = DeviceKinds.All.ToArray();
        var registry = new DeviceRegistry();
        var devices = new DeviceInfo[kinds.Length * PerKind];
        for (var i = 0; i < devices.Length; i++)
        {
            var kind = kinds[i % kinds.Length];
            devices[i] = new DeviceInfo($"{kind.Name()}-{i:D4}", kind, $"district-{i % 3}", 30, "")
            {
                Parameters = kind == DeviceKind.GasMeter ? DeviceParameters.Parse("qmax=6") : DeviceParameters.Empty,
            };
        }

        registry.Upsert(devices);
        var ids = Array.ConvertAll(devices, d => Encoding.ASCII.GetBytes(d.Id));
        var sink = new DetectionTestKitSinkCounter();
        var engine = new DetectionEngine(DetectionOptions.Default, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[5];
        var volume = new double[devices.Length];
        const long Start = 1_750_000_000_000;
        var at = 0L;

        void Run()
        {
            for (var i = 0; i < Readings; i++, at++)
            {
                var device = (int)(at % devices.Length);
                var timeMs = Start + (at * 10);
                var count = Fill(metrics, devices[device].Kind, device, at, ref volume[device]);
                var length = TelemetryFrame.Write(frame, ids[device], devices[device].Kind, timeMs, timeMs + 40, (ulong)at + 1, TraceContext.None, metrics.AsSpan(0, count));
                TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                engine.Process(device, reading);
                if (i % 100 == 0)
                {
                    engine.AdvanceTo(timeMs);
                }
            }
        }

        // The first run raises the standing alerts (a methane detector at 30 %LEL; a charger Faulted past its
        // 15 minutes, found by AdvanceTo); the measured run repeats them without transitions.
        Run();
        var raised = sink.Count;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(raised, Is.EqualTo(2), "the standing alerts are raised in the first run");
        Assert.That(sink.Count, Is.EqualTo(raised), "the measured run is steady state");
        Assert.That(engine.Methane.ActiveCount, Is.EqualTo(1));
        Assert.That(engine.Charger.ActiveCount(Sensing.Core.Alerts.AlertCondition.ChargerOutOfService), Is.EqualTo(1));
        Assert.That(allocated, Is.Zero, $"{(double)allocated / Readings:0.###} B per reading");
    }

    // The second case runs with a rules file: a zone with daylight saving (the night window's offset looked up per
    // reading) and district, kind and device overrides (resolved once per device and district).
    [TestCase(null)]
    [TestCase("""
        timeZone: Europe/Berlin
        districts:
          d-1:
            water:
              lowPressure:
                minimumMpa: 0.15
        kinds:
          water-pressure:
            health:
              lowBatteryVolts: 3.2
        devices:
          wp-0:
            health:
              offlineAfterIntervals: 5
        """)]
    public void Process_WaterSteadyStateEveryWaterDetectorWarm_AllocatesNothing(string? rules)
    {
        // District "d-0": an inlet meter and four pressure sensors on a diurnal curve with noise (pipe burst
        // baselines and night-flow baseline warm after the first run), a reservoir above its blue level and a rain
        // gauge in a standing storm (standing alerts). District "d-1": two sensors at 0.10 MPa (a standing district
        // low-pressure alert) and one lone low sensor in "d-2" (a standing device alert).
        (string Id, DeviceKind Kind, string District, string Parameters)[] fleet =
        [
            ("wf-inlet", DeviceKind.WaterFlow, "d-0", "role=inlet"), ("wf-dma", DeviceKind.WaterFlow, "d-0", "role=dma"),
            ("wp-0", DeviceKind.WaterPressure, "d-0", ""), ("wp-1", DeviceKind.WaterPressure, "d-0", ""),
            ("wp-2", DeviceKind.WaterPressure, "d-0", ""), ("wp-3", DeviceKind.WaterPressure, "d-0", ""),
            ("rl-0", DeviceKind.ReservoirLevel, "d-0", "warning_m=18;guaranteed_m=19.5;historic_max_m=20.2"),
            ("rg-0", DeviceKind.RainGauge, "d-0", ""),
            ("wp-low-0", DeviceKind.WaterPressure, "d-1", ""), ("wp-low-1", DeviceKind.WaterPressure, "d-1", ""),
            ("wp-low-2", DeviceKind.WaterPressure, "d-2", ""),
        ];
        var registry = new DeviceRegistry();
        var devices = Array.ConvertAll(fleet, f => new DeviceInfo(f.Id, f.Kind, f.District, 300, "") { Parameters = DeviceParameters.Parse(f.Parameters) });
        registry.Upsert(devices);
        var ids = Array.ConvertAll(devices, d => Encoding.ASCII.GetBytes(d.Id));
        var sink = new DetectionTestKitSinkCounter();
        var engine = new DetectionEngine(rules is null ? DetectionOptions.Default : Sensing.Rules.RulesFile.Parse(rules, "rules.yaml").Detection, registry, sink);
        var frame = new byte[TelemetryFrame.MaxLength];
        var metrics = new MetricValue[1];
        var series = new WaterSeries(42);
        const long Step = 5 * WaterTestKit.Minute;
        ulong sequence = 0;
        var at = 0L;

        double Value(int device, long t) => fleet[device].Id switch
        {
            "wf-inlet" or "wf-dma" => series.Flow(t),
            "rl-0" => 17.8 + (0.01 * series.Gaussian()),
            "rg-0" => 1 + (0.1 * series.Gaussian()),
            "wp-low-0" or "wp-low-1" or "wp-low-2" => 0.10 + (0.002 * series.Gaussian()),
            _ => series.Pressure(t, 0.40 - (0.01 * device)),
        };

        void Run(long until)
        {
            for (; at < until; at += Step)
            {
                for (var device = 0; device < devices.Length; device++)
                {
                    var kind = devices[device].Kind;
                    var metric = kind switch
                    {
                        DeviceKind.WaterFlow => Metric.WaterFlow,
                        DeviceKind.ReservoirLevel => Metric.Level,
                        DeviceKind.RainGauge => Metric.Rain,
                        _ => Metric.Pressure,
                    };
                    metrics[0] = new MetricValue(metric, Value(device, at));
                    var timeMs = WaterTestKit.T0 + at;
                    var length = TelemetryFrame.Write(frame, ids[device], kind, timeMs, timeMs, ++sequence, TraceContext.None, metrics);
                    TelemetryFrame.TryDecode(frame.AsSpan(0, length), out var reading, out _);
                    engine.Process(device, reading);
                }
            }
        }

        // Three weeks warm every baseline and raise the standing alerts; the fourth week is measured.
        Run(21 * WaterTestKit.Day);
        var raised = sink.Count;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(28 * WaterTestKit.Day);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var readings = 7 * WaterTestKit.Day / Step * devices.Length;

        Assert.That(engine.Water.ReservoirLevel.ActiveCount, Is.EqualTo(1));
        Assert.That(engine.Water.HeavyRain.ActiveCount, Is.EqualTo(1));
        Assert.That(engine.Water.LowPressure.ActiveDistrictAlerts, Is.EqualTo(1));
        Assert.That(engine.Water.LowPressure.ActiveDeviceAlerts, Is.EqualTo(1));
        // The series' demand follows UTC+8 hours: in Berlin the night window falls on its morning.
        Assert.That(engine.Water.NightFlow.LastMinimumNightFlow(0), rules is null ? Is.InRange(100, 300) : (NUnit.Framework.Constraints.IResolveConstraint)Is.GreaterThan(0),
            "night-flow judged every night");
        Assert.That(sink.Count, Is.EqualTo(raised), "the measured week is steady state");
        Assert.That(allocated, Is.Zero, $"{(double)allocated / readings:0.###} B per reading");
    }

    private static int Fill(MetricValue[] m, DeviceKind kind, int device, long at, ref double volume)
    {
        m[0] = new MetricValue(Metric.BatteryVolts, 3.6 - ((at % 7) * 0.01));
        switch (kind)
        {
            case DeviceKind.GasMeter:
                // Household use that stops now and then: never a micro-leak, long use or rupture.
                var flow = at % 50 < 5 ? 0 : 0.2 + ((at % 13) * 0.1);
                volume += flow / 1000;
                m[1] = new MetricValue(Metric.GasFlow, flow);
                m[2] = new MetricValue(Metric.GasVolume, volume);
                m[3] = new MetricValue(Metric.ValveOpen, 1);
                m[4] = new MetricValue(Metric.AlarmBits, 0);
                return 5;
            case DeviceKind.MethaneDetector:
                m[1] = new MetricValue(Metric.MethaneLel, device == 1 ? 30 : at % 20);
                return 2;
            case DeviceKind.EvCharger:
                m[1] = new MetricValue(Metric.ConnectorStatus, (double)(device == 2 ? ChargerStatus.Faulted : ChargerStatus.Charging));
                m[2] = new MetricValue(Metric.ChargerErrorCode, (double)ChargerError.NoError);
                m[3] = new MetricValue(Metric.PowerKw, 7.2);
                return 4;
            case DeviceKind.WaterPressure:
                m[1] = new MetricValue(Metric.Pressure, 0.3 + ((at % 5) * 0.001));
                return 2;
            case DeviceKind.WaterFlow:
                m[1] = new MetricValue(Metric.WaterFlow, 120 + (at % 11));
                m[2] = new MetricValue(Metric.WaterTotal, at);
                return 3;
            case DeviceKind.ReservoirLevel:
                m[1] = new MetricValue(Metric.Level, 10 + ((at % 3) * 0.01));
                return 2;
            case DeviceKind.SmokeAlarm:
                m[1] = new MetricValue(Metric.AlarmBits, 0);
                return 2;
            case DeviceKind.ElectricalFireDetector:
                m[1] = new MetricValue(Metric.ResidualCurrentMa, 60 + (at % 9));
                m[2] = new MetricValue(Metric.Temperature, 35 + ((at % 5) * 0.1));
                return 3;
            case DeviceKind.FireWaterPressure:
                m[1] = new MetricValue(Metric.Pressure, 0.35 + ((at % 5) * 0.001));
                return 2;
            default:
                m[1] = new MetricValue(Metric.Rain, 0);
                return 2;
        }
    }

    private sealed class DetectionTestKitSinkCounter : IAlertSink
    {
        public int Count { get; private set; }

        public void OnAlert(Sensing.Core.Alerts.AlertEvent alert) => Count++;
    }
}
