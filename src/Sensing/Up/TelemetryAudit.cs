using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Kafka;

namespace Sensing.Up;

/// <summary>What <c>sensing.telemetry</c> holds after a city run, read record by record.</summary>
/// <param name="Records">Records read (the topic's whole content).</param>
/// <param name="Readings">Records that are readings (not a gateway's online/offline event).</param>
/// <param name="UniqueReadings">Distinct (device, sequence) among the readings.</param>
/// <param name="ConnectionEvents">Records that are a gateway's online/offline event.</param>
/// <param name="Undecodable">Records that are not a telemetry frame, or of a device not in the registry.</param>
public sealed record TelemetryAudit(long Records, long Readings, long UniqueReadings, long ConnectionEvents, long Undecodable)
{
    /// <summary>Readings in the topic more than once (a device's retry, a delivery the simulator doubled on purpose).</summary>
    public long DuplicateReadings => Readings - UniqueReadings;

    /// <summary>
    /// Reads every record of <paramref name="kafka"/>'s telemetry topic (<paramref name="expected"/> of them, the
    /// topic's size) with a group of its own; stops early when nothing arrives for <paramref name="idle"/>. When
    /// <paramref name="seen"/> is given, it receives every (device number, sequence) read, as number * 2^32 + sequence;
    /// when <paramref name="minutes"/> is given, every record's time and every reading seen for the first time; when
    /// <paramref name="replay"/> is given, every record.
    /// </summary>
    public static TelemetryAudit Read(
        KafkaOptions kafka, DeviceRegistry registry, long expected, TimeSpan idle, HashSet<long>? seen = null, TelemetryMinutes? minutes = null,
        UninterruptedReplay? replay = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(registry);
        // One bit set per (device number, sequence): sequences of a run are small, so the key is number * 2^32 + seq.
        seen ??= [];
        long readings = 0, events = 0, bad = 0;
        var records = TopicReader.Read(kafka, kafka.Topics.Telemetry, "sensing-up-audit", expected, idle, record =>
        {
            replay?.Add(record.Partition, record.Value);
            if (!TelemetryFrame.TryDecode(record.Value, out var frame, out _) || !registry.TryFind(frame.DeviceId, out var number))
            {
                bad++;
            }
            else if (frame.IsConnectionEvent)
            {
                events++;
                minutes?.Observe(record.Partition, frame);
            }
            else
            {
                readings++;
                minutes?.Observe(record.Partition, frame);
                if (seen.Add(((long)number << 32) | (uint)frame.Sequence))
                {
                    minutes?.Add(number, frame);
                }
            }
        });

        return new TelemetryAudit(records, readings, seen.Count, events, bad);
    }
}
