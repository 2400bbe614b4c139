namespace Sensing.Simulators.Load;

/// <summary>A load run's figures, live (each second) or final.</summary>
/// <param name="Elapsed">Time since publishing started.</param>
/// <param name="Connected">Connections open now.</param>
/// <param name="ConnectFailures">Connections that could not be opened or were refused.</param>
/// <param name="Lost">Connections that ended before the run did.</param>
/// <param name="Sent">PUBLISH packets handed to the sockets.</param>
/// <param name="Acknowledged">PUBACKs received (QoS 1).</param>
/// <param name="Rate">Messages/s: acknowledged for QoS 1, sent for QoS 0 (over the interval when live, the publishing time when final).</param>
/// <param name="P50Microseconds">Median PUBACK latency (send to PUBACK).</param>
/// <param name="P99Microseconds">99th percentile PUBACK latency.</param>
/// <param name="MaxMicroseconds">Largest PUBACK latency.</param>
/// <param name="Batch">Readings per message (above 1 when the connections are concentrators).</param>
public readonly record struct LoadReport(
    TimeSpan Elapsed, int Connected, int ConnectFailures, int Lost, long Sent, long Acknowledged, double Rate,
    long P50Microseconds, long P99Microseconds, long MaxMicroseconds, int Batch = 1)
{
    /// <summary>One line: the live progress format, and with <c>final</c> the result the bench scripts parse.</summary>
    public string Format(bool final)
    {
        var line = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(final ? "result" : "live")} t={Elapsed.TotalSeconds:0.0}s connected={Connected} failed={ConnectFailures} lost={Lost} " +
            $"sent={Sent} acked={Acknowledged} rate={Rate:0} msg/s p50={P50Microseconds / 1000.0:0.00}ms p99={P99Microseconds / 1000.0:0.00}ms max={MaxMicroseconds / 1000.0:0.00}ms");
        return Batch > 1 ? line + string.Create(System.Globalization.CultureInfo.InvariantCulture, $" batch={Batch} readings={Rate * Batch:0}/s") : line;
    }
}
