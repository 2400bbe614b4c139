using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sensing.Core.Devices;
using Sensing.Core.Payloads;
using Sensing.Storage.Telemetry;

namespace Sensing.Gateway;

/// <summary>
/// The gateway's instruments in the meter <c>Sensing</c> (service <c>gateway</c>): observable instruments that read
/// <see cref="GatewayCounters"/> and <see cref="DeviceLimits"/> when metrics are exported, so the read loop records
/// nothing beyond its interlocked counters; and <c>sensing.gateway.ack_latency</c>, recorded once per PUBACK/PUBREC
/// on Kafka's delivery thread (a histogram without attributes: no allocation per record).
/// </summary>
public sealed class GatewayInstruments : IDisposable
{
    private static readonly DeviceKind[] Kinds = DeviceKinds.All.ToArray();
    private static readonly PayloadError[] Reasons = Enum.GetValues<PayloadError>().Where(e => e != PayloadError.None).ToArray();

    private readonly Meter _meter = PipelineMetrics.CreateMeter("gateway");
    private readonly GatewayCounters _counters;
    private readonly Measurement<long>[] _readings;
    private readonly Measurement<long>[] _online;
    private readonly Histogram<double> _ackLatency;
    private readonly KeyValuePair<string, object?>[][] _reasonTags;
    private readonly KeyValuePair<string, object?>[][] _kindTags;

    /// <summary>Publishes the gateway's instruments over <paramref name="counters"/> and <paramref name="limits"/>.</summary>
    public GatewayInstruments(GatewayCounters counters, DeviceLimits limits)
    {
        _counters = counters;
        _readings = new Measurement<long>[Kinds.Length];
        _online = new Measurement<long>[Kinds.Length];
        _kindTags = Kinds.Select(k => new KeyValuePair<string, object?>[] { new("kind", k.Name()) }).ToArray();
        _reasonTags = Reasons.Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToString()) }).ToArray();
        _meter.CreateObservableUpDownCounter("sensing.gateway.connections", () => counters.Connections, "connections",
            "Devices connected now");
        _meter.CreateObservableCounter("sensing.gateway.readings", ReadingsByKind, "readings",
            "Readings decoded and handed to Kafka, by device kind");
        _meter.CreateObservableCounter("sensing.gateway.deadletters", DeadLettersByReason, "payloads",
            "Payloads sent to the dead-letter topic, by reason");
        _meter.CreateObservableCounter("sensing.gateway.throttled", () => limits.Throttled, "packets",
            "Times a connection was held back for exceeding the message rate");
        _meter.CreateObservableGauge("sensing.gateway.devices_online", OnlineByKind, "devices",
            "Devices connected to this gateway now, by device kind");
        _ackLatency = _meter.CreateHistogram<double>("sensing.gateway.ack_latency", "ms",
            "From a QoS 1/2 PUBLISH read to its PUBACK/PUBREC queued for the device, after Kafka acknowledged the reading");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// A PUBACK or PUBREC was queued for the device just now, for a PUBLISH read at
    /// <paramref name="receivedTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).
    /// </summary>
    public void Acknowledged(long receivedTimestamp) =>
        _ackLatency.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalMilliseconds);

    private Measurement<long>[] OnlineByKind()
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            _online[i] = new Measurement<long>(_counters.ConnectionsOf(Kinds[i]), _kindTags[i]);
        }

        return _online;
    }

    private Measurement<long>[] ReadingsByKind()
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            _readings[i] = new Measurement<long>(_counters.ReadingsOf(Kinds[i]), _kindTags[i]);
        }

        return _readings;
    }

    private IEnumerable<Measurement<long>> DeadLettersByReason()
    {
        // Only reasons seen so far: a series per reason that never happened would be noise in the store.
        for (var i = 0; i < Reasons.Length; i++)
        {
            if (_counters.DeadLettersFor(Reasons[i]) is > 0 and var count)
            {
                yield return new Measurement<long>(count, _reasonTags[i]);
            }
        }
    }
}
