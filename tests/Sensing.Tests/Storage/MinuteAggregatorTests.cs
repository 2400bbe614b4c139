using System.Buffers;
using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Storage;
using Sensing.Storage.Aggregation;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class MinuteAggregatorTests
{
    private const long Minute0 = 1_764_590_400_000; // 2025-12-01T12:00:00Z, a whole minute
    private static readonly DeviceInfo Meter = new("gm-1", DeviceKind.GasMeter, "d07", 30, "");
    private static readonly DeviceInfo Detector = new("md-2", DeviceKind.MethaneDetector, "d01", 60, "");

    private readonly ArrayBufferWriter<byte> _output = new();
    private LineProtocolWriter _lines = null!;
    private ulong _sequence;

    [SetUp]
    public void NewOutput()
    {
        _output.Clear();
        _lines = new LineProtocolWriter(_output);
    }

    [Test]
    public void Add_ReadingOfNextMinute_WritesPreviousMinuteWithAllStatistics()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 1_000, (Metric.GasFlow, 0.5), (Metric.BatteryVolts, 3.6));
        Add(aggregator, 0, Meter, Minute0 + 20_000, (Metric.GasFlow, 1.5));
        Add(aggregator, 0, Meter, Minute0 + 59_999, (Metric.GasFlow, 0.25), (Metric.BatteryVolts, 3.5));
        Assert.That(Written(), Is.Empty, "the minute is still open");

        Add(aggregator, 0, Meter, Minute0 + 60_000, (Metric.GasFlow, 9));

        Assert.That(Written(), Is.EqualTo(
            $"sensing_agg_1m,device=gm-1,district=d07,kind=gas-meter flow_min=0.25,flow_max=1.5,flow_mean=0.75,flow_last=0.25,flow_count=3i," +
            $"battery_min=3.5,battery_max=3.6,battery_mean=3.55,battery_last=3.5,battery_count=2i {Minute0}\n"));
        Assert.That(aggregator.MinutesWritten, Is.EqualTo(1));
        Assert.That(aggregator.OpenDevices, Is.EqualTo(1), "the new minute is open");
    }

    [Test]
    public void CloseUpTo_WatermarkAtMinuteEnd_WritesOnlyClosedMinutes()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 5_000, (Metric.GasFlow, 2));
        Add(aggregator, 1, Detector, Minute0 + 65_000, (Metric.MethaneLel, 4));

        aggregator.CloseUpTo(Minute0 + 59_999, _lines);
        Assert.That(Written(), Is.Empty);

        aggregator.CloseUpTo(Minute0 + 60_000, _lines);
        Assert.That(Written(), Does.StartWith("sensing_agg_1m,device=gm-1,").And.EndWith($" {Minute0}\n"));
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        Assert.That(aggregator.OpenDevices, Is.EqualTo(1));

        aggregator.CloseAll(_lines);
        Assert.That(Written(), Does.Contain($"lel_mean=4,lel_last=4,lel_count=1i {Minute0 + 60_000}\n"));
        Assert.That(aggregator.OpenDevices, Is.Zero);
    }

    [Test]
    public void Add_ReadingOfEarlierMinute_CountedLateNotAggregated()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 61_000, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 59_000, (Metric.GasFlow, 100));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.LateReadings, Is.EqualTo(1));
        Assert.That(Written(), Does.Contain("flow_max=1,").And.Contain("flow_count=1i"));
    }

    [Test]
    public void Add_ReadingOfMinuteTheWatermarkClosed_CountedLateNotWrittenAgain()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 50_000, (Metric.GasFlow, 1));
        aggregator.CloseUpTo(Minute0 + 60_000, _lines);
        Add(aggregator, 0, Meter, Minute0 + 55_000, (Metric.GasFlow, 100));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.LateReadings, Is.EqualTo(1));
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one point for the minute");
        Assert.That(Written(), Does.Contain("flow_max=1,").And.Contain("flow_count=1i"));
    }

    [Test]
    public void Add_ReadingOfLaterMinuteWithAnEarlierSequenceMissing_HoldsTheMinuteUntilTheMissingOneArrives()
    {
        // Sequence 3 (minute 0) reaches Kafka after 4 (minute 1), as when it waited in the producer of a gateway the
        // device had left while the broker was away.
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 10_000, 1, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 30_000, 2, (Metric.GasFlow, 2));
        Add(aggregator, 0, Meter, Minute0 + 70_000, 4, (Metric.GasFlow, 4));
        Assert.That(Written(), Is.Empty, "sequence 3 may still belong to minute 0");
        Assert.That(aggregator.HeldMinutes, Is.EqualTo(1));

        Add(aggregator, 0, Meter, Minute0 + 50_000, 3, (Metric.GasFlow, 3));

        Assert.That(Written(), Is.EqualTo(
            $"sensing_agg_1m,device=gm-1,district=d07,kind=gas-meter flow_min=1,flow_max=3,flow_mean=2,flow_last=3,flow_count=3i {Minute0}\n"));
        Assert.That(aggregator.HeldMinutes, Is.Zero);
        Assert.That(aggregator.LateReadings, Is.Zero);
        aggregator.CloseAll(_lines);
        Assert.That(Written(), Does.EndWith($"flow_count=1i {Minute0 + 60_000}\n"), "minute 1 holds sequence 4 only");
    }

    [Test]
    public void Add_MissingSequenceNeverArrives_HeldMinuteWrittenWhenTheWatermarkPassesIt()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 10_000, 1, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 70_000, 3, (Metric.GasFlow, 3));
        aggregator.CloseUpTo(Minute0 + 59_999, _lines);
        Assert.That(Written(), Is.Empty);

        aggregator.CloseUpTo(Minute0 + 60_000, _lines);
        Assert.That(Written(), Does.EndWith($"flow_count=1i {Minute0}\n"));
        Assert.That(aggregator.HeldMinutes, Is.Zero);
        Assert.That(aggregator.OpenDevices, Is.EqualTo(1), "minute 1 stays open");

        Add(aggregator, 0, Meter, Minute0 + 20_000, 2, (Metric.GasFlow, 2));
        Assert.That(aggregator.LateReadings, Is.EqualTo(1), "its minute was written");
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
    }

    [Test]
    public void Add_ThirdMinuteWhileOneIsHeld_WritesTheHeldOneAsItStands()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 10_000, 1, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 70_000, 3, (Metric.GasFlow, 3));
        Add(aggregator, 0, Meter, Minute0 + 130_000, 5, (Metric.GasFlow, 5));

        Assert.That(Written(), Is.EqualTo(
            $"sensing_agg_1m,device=gm-1,district=d07,kind=gas-meter flow_min=1,flow_max=1,flow_mean=1,flow_last=1,flow_count=1i {Minute0}\n"));
        Assert.That(aggregator.HeldMinutes, Is.EqualTo(1), "minute 1 is held: sequences 2 and 4 are missing");

        Add(aggregator, 0, Meter, Minute0 + 80_000, 4, (Metric.GasFlow, 4));
        Add(aggregator, 0, Meter, Minute0 + 20_000, 2, (Metric.GasFlow, 2));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.LateReadings, Is.EqualTo(1), "minute 0 was written without sequence 2");
        Assert.That(Written(), Does.Contain($"flow_count=2i {Minute0 + 60_000}\n").And.Contain($"flow_count=1i {Minute0 + 120_000}\n"));
    }

    [Test]
    public void Add_ReadingLostAtAMinutesEnd_HoldsOnlyTheMinutesItCanBelongTo()
    {
        // Sequence 2 never arrives (lost with a gateway before Kafka had it): it belongs to minute 0 or minute 1, so each
        // is held in turn, and from minute 2 on minutes are written at the device's first reading of the next one again.
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 10_000, 1, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 70_000, 3, (Metric.GasFlow, 3));
        Add(aggregator, 0, Meter, Minute0 + 130_000, 4, (Metric.GasFlow, 4));
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "minute 0 as it stands");
        Assert.That(aggregator.HeldMinutes, Is.EqualTo(1), "minute 1 held: sequence 2 may be in it");

        Add(aggregator, 0, Meter, Minute0 + 190_000, 5, (Metric.GasFlow, 5));
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3), "minute 1 as it stands, minute 2 whole");
        Assert.That(aggregator.HeldMinutes, Is.Zero);

        Add(aggregator, 0, Meter, Minute0 + 250_000, 6, (Metric.GasFlow, 6));
        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(4), "minute 3 written at minute 4's first reading");
        Assert.That(aggregator.HeldMinutes, Is.Zero);
    }

    [Test]
    public void Add_DeviceRestartedItsCounter_MinutesWrittenAtTheNextMinutesFirstReading()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 10_000, 900, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 70_000, 1, (Metric.GasFlow, 2));
        Add(aggregator, 0, Meter, Minute0 + 130_000, 2, (Metric.GasFlow, 3));

        Assert.That(Written().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2));
        Assert.That(aggregator.HeldMinutes, Is.Zero);
    }

    [Test]
    public void Add_ManyDevicesEachMissingAReading_HoldsEveryOneAndWritesEachOnce()
    {
        const int Devices = 300;
        var aggregator = new MinuteAggregator(new MinuteAggregatorOptions { InitialDevices = 1 });
        for (var d = 0; d < Devices; d++)
        {
            Add(aggregator, d, Meter, Minute0 + 10_000, 1, (Metric.GasFlow, d));
            Add(aggregator, d, Meter, Minute0 + 70_000, 3, (Metric.GasFlow, d));
        }

        Assert.That(aggregator.HeldMinutes, Is.EqualTo(Devices));
        for (var d = 0; d < Devices; d++)
        {
            Add(aggregator, d, Meter, Minute0 + 40_000, 2, (Metric.GasFlow, d));
        }

        var points = Written().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(points, Has.Length.EqualTo(Devices));
        Assert.That(points, Has.All.EndWith($"flow_count=2i {Minute0}"));
        Assert.That(points.Select(p => p.Split(' ')[1].Split(',')[0]).Distinct().Count(), Is.EqualTo(Devices), "each device's own minimum");
        Assert.That(aggregator.HeldMinutes, Is.Zero);
    }

    [Test]
    public void Add_MoreMetricsThanSlots_CountsOverflow()
    {
        var aggregator = new MinuteAggregator(new MinuteAggregatorOptions { SlotsPerDevice = 1 });
        Add(aggregator, 0, Meter, Minute0, (Metric.GasFlow, 1), (Metric.Temperature, 20));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.OverflowValues, Is.EqualTo(1));
        Assert.That(Written(), Does.Contain("flow_count=1i").And.Not.Contain("temp"));
    }

    [Test]
    public void Add_SameSequenceTwice_CountedOnce()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 1_000, 7, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 1_000, 7, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 31_000, 8, (Metric.GasFlow, 3));
        Add(aggregator, 0, Meter, Minute0 + 1_000, 7, (Metric.GasFlow, 1));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.DuplicateReadings, Is.EqualTo(2));
        Assert.That(Written(), Does.Contain("flow_mean=2,").And.Contain("flow_count=2i"));
    }

    [Test]
    public void Add_SequenceDeliveredAfterLaterOnes_StillCounted()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 2_000, 10, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 3_000, 12, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 2_500, 11, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 2_500, 11, (Metric.GasFlow, 1));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.DuplicateReadings, Is.EqualTo(1));
        Assert.That(Written(), Does.Contain("flow_count=3i"));
    }

    [Test]
    public void Add_SequenceFarBelowHighest_TakenAsRestartedCounter()
    {
        var aggregator = new MinuteAggregator();
        Add(aggregator, 0, Meter, Minute0 + 2_000, 500, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 3_000, 1, (Metric.GasFlow, 1));
        Add(aggregator, 0, Meter, Minute0 + 4_000, 2, (Metric.GasFlow, 1));
        aggregator.CloseAll(_lines);

        Assert.That(aggregator.DuplicateReadings, Is.Zero);
        Assert.That(Written(), Does.Contain("flow_count=3i"));
    }

    [Test]
    public void Add_DeviceNumberBeyondArrays_Grows()
    {
        var aggregator = new MinuteAggregator(new MinuteAggregatorOptions { InitialDevices = 1 });
        Add(aggregator, 5000, Detector, Minute0, (Metric.MethaneLel, 7));
        aggregator.CloseAll(_lines);

        Assert.That(Written(), Does.Contain("device=md-2").And.Contain("lel_last=7"));
    }

    [Test]
    public void Add_SteadyStateManyDevices_AllocatesNothing()
    {
        const int Devices = 1000;
        var aggregator = new MinuteAggregator(new MinuteAggregatorOptions { InitialDevices = Devices });
        // Two runs of 30 readings per device, each reading with its own sequence number (a repeated one is a duplicate),
        // ten in each minute.
        var frames = new byte[Devices][][];
        var infos = new DeviceInfo[Devices];
        for (var d = 0; d < Devices; d++)
        {
            infos[d] = new DeviceInfo($"gm-{d:D5}", DeviceKind.GasMeter, "d03", 30, "");
            frames[d] = [.. Enumerable.Range(0, 60).Select(k => Frame(infos[d], k / 10 * MinuteAggregator.MinuteMs, (ulong)k + 1, (Metric.GasFlow, d), (Metric.BatteryVolts, 3.6), (Metric.Temperature, 11)))];
        }

        var output = new ArrayBufferWriter<byte>(1 << 20);
        var lines = new LineProtocolWriter(output);
        var next = 0;
        void Run()
        {
            // Three rounds of ten readings per device, a minute each, each round's minute closed by the watermark.
            for (var round = 0; round < 3; round++)
            {
                output.ResetWrittenCount();
                for (var r = 0; r < 10; r++)
                {
                    for (var d = 0; d < Devices; d++)
                    {
                        TelemetryFrame.TryDecode(frames[d][next], out var frame, out _);
                        aggregator.Add(d, infos[d], frame, lines);
                    }

                    next++;
                }

                aggregator.CloseUpTo(next / 10 * MinuteAggregator.MinuteMs, lines);
            }
        }

        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(aggregator.MinutesWritten, Is.EqualTo(6 * Devices), "every round writes one point per device");
        Assert.That(allocated, Is.Zero, $"{allocated} bytes for {30 * Devices} readings");
    }

    private string Written() => Encoding.UTF8.GetString(_output.WrittenSpan);

    // Each reading with the next sequence number.
    private void Add(MinuteAggregator aggregator, int number, DeviceInfo device, long eventMs, params (Metric Metric, double Value)[] metrics) =>
        Add(aggregator, number, device, eventMs, ++_sequence, metrics);

    private void Add(MinuteAggregator aggregator, int number, DeviceInfo device, long eventMs, ulong sequence, params (Metric Metric, double Value)[] metrics)
    {
        var bytes = Frame(device, eventMs, sequence, metrics);
        Assert.That(TelemetryFrame.TryDecode(bytes, out var frame, out _), Is.True);
        aggregator.Add(number, device, frame, _lines);
    }

    private static byte[] Frame(DeviceInfo device, long eventMs, ulong sequence, params (Metric Metric, double Value)[] metrics)
    {
        var buffer = new ArrayBufferWriter<byte>();
        TelemetryFrame.Write(buffer, device.IdUtf8, device.Kind, eventMs, eventMs, sequence, default,
            [.. metrics.Select(m => new MetricValue(m.Metric, m.Value))]);
        return buffer.WrittenSpan.ToArray();
    }
}
