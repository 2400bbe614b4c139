using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using Sensing.Simulators.Backtest;
using Sensing.Simulators.Truth;

namespace Sensing.Up;

/// <summary>
/// The alerts an uninterrupted processor would have raised on the run's own input: every record of
/// <c>sensing.telemetry</c>, as the faults left it (refused readings absent, late ones late, duplicates in), through one
/// fresh <see cref="DetectionEngine"/> that never crashes, restarts or rebalances. The partitions are read in offset
/// order and merged by record time (a reading's event time capped by its ingest time, as the processor's watermark
/// takes it); each partition's own time moves on after each of its records (<see cref="DetectionEngine.AdvanceStream"/>)
/// and the merged time every second of it (<see cref="DetectionEngine.AdvanceTo"/>, and a partition with no record for
/// 10 s while others have, as the processor's quiet partitions), as in the processor. Comparing its
/// alert ids with those on <c>sensing.alerts</c> shows what the faults changed in what operators were told: an id
/// missing (the pipeline lost or never raised an alert) or extra (raised only because of a crash, a replay or a
/// rebalance). Ids are deterministic (device or district, condition, raise time), so the same input gives the same
/// ids, whichever process raised them.
/// </summary>
/// <remarks>
/// What the comparison cannot hold still: a condition that time alone makes true is raised when event time passes a
/// deadline before the next reading is read. Device silence and a smoke alarm's missed heartbeat are judged by the
/// time of the device's own partition, record by record, the same in a replay; a partition gone quiet, and the other
/// time-driven conditions (a charger out of service), are judged by the processor's watermark, moved once a second of
/// wall-clock time over what it has read by then, and a processor replaying a dead one's partitions reads them faster
/// than they were written. Such alerts can differ with no fault in the pipeline's books, so the comparison reports
/// them apart (<see cref="ReplayComparison.TimeDriven"/>).
/// </remarks>
public sealed class UninterruptedReplay
{
    // Event time between two AdvanceTo calls, as the live processor's once-a-second tick over a live stream.
    private const long AdvanceStepMs = 1_000;

    private readonly Dictionary<int, List<byte[]>> _partitions = [];

    /// <summary>Records kept.</summary>
    public long Records { get; private set; }

    /// <summary>Keeps one record of the telemetry topic (in the partition's offset order).</summary>
    public void Add(int partition, byte[] value)
    {
        if (!_partitions.TryGetValue(partition, out var list))
        {
            _partitions[partition] = list = [];
        }

        list.Add(value);
        Records++;
    }

    /// <summary>
    /// Runs the engine over the kept records for <paramref name="devices"/> (the registry the processors had, changed
    /// entries included) with <paramref name="options"/>; returns every alert it raised.
    /// </summary>
    public IReadOnlyList<AlertRecord> Run(IEnumerable<DeviceInfo> devices, DetectionOptions options)
    {
        var registry = new DeviceRegistry();
        registry.Upsert(devices);
        var sink = new AlertRecordSink();
        var engine = new DetectionEngine(options, registry, sink);
        var lists = _partitions.Values.ToArray();
        var next = new int[lists.Length];
        var heads = new PriorityQueue<int, (long TimeMs, int Partition)>();
        for (var p = 0; p < lists.Length; p++)
        {
            Enqueue(heads, lists, next, p);
        }

        var streams = _partitions.Keys.ToArray();
        var streamTimes = new long[lists.Length];
        Array.Fill(streamTimes, long.MinValue);
        var streamOf = new int[registry.Count];
        Array.Fill(streamOf, -1);
        var watermark = long.MinValue;
        var advancedAt = long.MinValue;
        while (heads.TryDequeue(out var p, out var key))
        {
            var value = lists[p][next[p]++];
            Enqueue(heads, lists, next, p);
            if (!TelemetryFrame.TryDecode(value, out var frame, out _) || !registry.TryFind(frame.DeviceId, out var number))
            {
                continue;
            }

            // As TelemetryProcessor.Handle: the reading, the device's stream, the stream's time.
            engine.Process(number, frame);
            if (streamOf[number] != p)
            {
                streamOf[number] = p;
                engine.AssignStream(number, streams[p]);
            }

            streamTimes[p] = Math.Max(streamTimes[p], key.TimeMs);
            engine.AdvanceStream(streams[p], streamTimes[p]);
            watermark = Math.Max(watermark, key.TimeMs);
            if (advancedAt == long.MinValue || watermark - advancedAt >= AdvanceStepMs)
            {
                engine.AdvanceTo(watermark);
                AdvanceQuiet(engine, streams, lists, next, watermark);
                advancedAt = watermark;
            }
        }

        // The end of the run: every partition goes quiet at once, and the processor judges no silence then.
        if (watermark != long.MinValue)
        {
            engine.AdvanceTo(watermark);
        }

        return sink.Records;
    }

    // As the processor's quiet partitions (TelemetryProcessor.QuietPartitions): a partition whose next record is more
    // than QuietAfterMs of event time ahead (or that has none left) is quiet, and while another one is not, its devices
    // are judged by the merged time.
    private static void AdvanceQuiet(DetectionEngine engine, int[] streams, List<byte[]>[] lists, int[] next, long watermark)
    {
        var live = false;
        for (var p = 0; p < lists.Length && !live; p++)
        {
            live = !IsQuiet(lists[p], next[p], watermark);
        }

        for (var p = 0; p < lists.Length && live; p++)
        {
            if (IsQuiet(lists[p], next[p], watermark))
            {
                engine.AdvanceStream(streams[p], watermark);
            }
        }
    }

    private static bool IsQuiet(List<byte[]> list, int next, long watermark) =>
        next >= list.Count || !TelemetryFrame.TryDecode(list[next], out var frame, out _) || frame.EventTimeMs - watermark > QuietAfterMs;

    // The processor's TelemetryProcessor.IdleAfter, 10 s of wall-clock time, as event time of a live stream.
    private const long QuietAfterMs = 10_000;

    // The record time of a frame: its event time, capped by its ingest time (TelemetryProcessor.ObserveTime).
    private static void Enqueue(PriorityQueue<int, (long, int)> heads, List<byte[]>[] lists, int[] next, int p)
    {
        var list = lists[p];
        while (next[p] < list.Count)
        {
            if (TelemetryFrame.TryDecode(list[next[p]], out var frame, out _))
            {
                var ingest = frame.IngestTimeMs;
                heads.Enqueue(p, (ingest > 0 ? Math.Min(frame.EventTimeMs, ingest) : frame.EventTimeMs, p));
                return;
            }

            // Not a frame: nothing a processor would process either.
            next[p]++;
        }
    }
}

/// <summary>The alert ids of <c>sensing.alerts</c> against those of an <see cref="UninterruptedReplay"/> of the same input.</summary>
/// <param name="Replayed">Alerts the uninterrupted replay raised.</param>
/// <param name="Missing">Alert ids the replay raised and <c>sensing.alerts</c> does not hold, of conditions a reading raises (goal 0).</param>
/// <param name="Extra">Alert ids on <c>sensing.alerts</c> that the replay did not raise, of conditions a reading raises (goal 0).</param>
/// <param name="TimeDriven">Ids missing or extra of conditions that time alone raises, judged by the processor's watermark (<see cref="TimeDrivenConditions"/>), reported apart.</param>
/// <param name="Examples">A few of the differences: missing or extra, condition, source, raise time.</param>
public sealed record ReplayComparison(int Replayed, int Missing, int Extra, int TimeDriven, IReadOnlyList<string> Examples)
{
    /// <summary>No difference in the alerts that readings raise.</summary>
    public bool Equal => Missing == 0 && Extra == 0;

    /// <summary>
    /// Conditions raised when the processor's watermark passes a deadline with no reading: a charger out of service
    /// too long; and chattering, which follows the raises of the others. Which of them are raised depends on where the
    /// watermark stood when a late reading was read, which the live processors and a replay choose differently. Device
    /// silence and a smoke alarm's missed heartbeat are not among them: they are judged by the time of the device's own
    /// partition, which a replay reproduces (the heartbeat was among them until it was; 121-304 of its ids differed in a
    /// fault run then, 0 since).
    /// </summary>
    public static readonly IReadOnlySet<string> TimeDrivenConditions = new HashSet<string>(StringComparer.Ordinal)
    {
        AlertCondition.ChargerOutOfService.Name(),
        AlertCondition.Chattering.Name(),
    };

    /// <summary>Compares <paramref name="pipeline"/> (every alert raised on <c>sensing.alerts</c>) with <paramref name="replayed"/>.</summary>
    public static ReplayComparison Compare(IReadOnlyList<AlertRecord> pipeline, IReadOnlyList<AlertRecord> replayed)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(replayed);
        var live = pipeline.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var again = replayed.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var missing = replayed.Where(a => !live.Contains(a.Id)).ToList();
        var extra = pipeline.Where(a => !again.Contains(a.Id)).ToList();
        bool TimeDriven(AlertRecord a) => TimeDrivenConditions.Contains(a.Condition);
        var examples = missing.Where(a => !TimeDriven(a)).Select(a => Describe("missing", a))
            .Concat(extra.Where(a => !TimeDriven(a)).Select(a => Describe("extra", a)))
            .Concat(missing.Where(TimeDriven).Select(a => Describe("missing (time-driven)", a)))
            .Concat(extra.Where(TimeDriven).Select(a => Describe("extra (time-driven)", a)))
            .Take(6).ToList();
        return new ReplayComparison(replayed.Count, missing.Count(a => !TimeDriven(a)), extra.Count(a => !TimeDriven(a)),
            missing.Count(TimeDriven) + extra.Count(TimeDriven), examples);
    }

    private static string Describe(string what, AlertRecord a) =>
        $"{what}: {a.Condition} {a.Source} raised {DateTimeOffset.FromUnixTimeMilliseconds(a.RaisedAtMs):HH:mm:ss.fff} ({a.Id})";
}
