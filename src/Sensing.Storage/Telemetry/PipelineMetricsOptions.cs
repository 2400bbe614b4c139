using System.Diagnostics.CodeAnalysis;

namespace Sensing.Storage.Telemetry;

/// <summary>How one part of the pipeline exports its own metrics. Checked by <see cref="Validate"/>.</summary>
public sealed record PipelineMetricsOptions
{
    /// <summary>Export to the store at <c>http://127.0.0.1:8428</c> as the processor, every 10 s.</summary>
    public static readonly PipelineMetricsOptions Default = new();

    /// <summary>The store the line-protocol exporter writes to (ignored when <see cref="Otlp"/> is set).</summary>
    public StoreWriterOptions Store { get; init; } = StoreWriterOptions.Default;

    /// <summary>The <c>service</c> tag of every point: <c>gateway</c>, <c>processor</c> or <c>feed</c>.</summary>
    public string Service { get; init; } = "processor";

    /// <summary>An OTLP/HTTP collector to export to instead of the store; null for the store.</summary>
    public Uri? Otlp { get; init; }

    /// <summary>How often metrics are exported (100 ms to 1 h).</summary>
    public TimeSpan Interval { get; init; } = PipelineMetrics.ExportInterval;

    /// <summary>
    /// Whether the instruments of meters without a <c>service</c> tag (the store writer's <c>sensing.store.*</c>) are
    /// exported too. When several parts run in one process (<c>sensing up</c>), exactly one of them should export them,
    /// or their totals are written once per part.
    /// </summary>
    public bool SharedInstruments { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not usable; returns this.</summary>
    public PipelineMetricsOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Store);
        if (Otlp is null)
        {
            Store.Validate();
        }
        else if (!Otlp.IsAbsoluteUri || (Otlp.Scheme != Uri.UriSchemeHttp && Otlp.Scheme != Uri.UriSchemeHttps))
        {
            Throw(nameof(Otlp), $"'{Otlp}' is not an absolute http:// or https:// URL");
        }

        if (string.IsNullOrEmpty(Service) || !Service.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            Throw(nameof(Service), $"'{Service}' is not a lower-case name (a-z, 0-9, -)");
        }

        if (Interval < TimeSpan.FromMilliseconds(100) || Interval > TimeSpan.FromHours(1))
        {
            Throw(nameof(Interval), $"{Interval} is not between 100 ms and 1 h");
        }

        return this;
    }

    [DoesNotReturn]
    private static void Throw(string option, string problem) =>
        throw new ArgumentException($"{nameof(PipelineMetricsOptions)}.{option}: {problem}", option);
}
