using System.Globalization;
using System.Text;
using Sensing.Storage.Export.Internal;

namespace Sensing.Storage.Export;

/// <summary>
/// Analyst exports from VictoriaMetrics as Arrow IPC streams. Reads the window's raw samples with
/// <c>/api/v1/export</c> (JSON lines, one series per line), joins the fields of one point (VictoriaMetrics stores each
/// line-protocol field as its own series) back into rows, and writes them with Apache.Arrow's stream writer.
/// </summary>
/// <remarks>
/// Both kinds come from the store, so an export is one consistent source: aggregates as the processor wrote them,
/// alerts as the lifecycle events the processor wrote (<c>sensing_alert</c>). Samples repeated by at-least-once
/// delivery (same series, same time) become one row. The window is read a time slice at a time (see
/// <see cref="ArrowExport"/>), so memory is bounded by <see cref="StoreExporterOptions.MaxRowsInMemory"/> whatever
/// the export's size.
/// </remarks>
public sealed class StoreExporter
{
    private readonly HttpClient _http;

    /// <summary>Creates an exporter reading the store at <see cref="StoreExporterOptions.StoreUrl"/>.</summary>
    public StoreExporter(HttpClient http, StoreExporterOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SliceRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRowsInMemory, options.SliceRows);
        _http = http;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public StoreExporterOptions Options { get; }

    /// <summary>
    /// Starts the export of <paramref name="query"/>: reads its first slice, so that a failing store or a minute too
    /// large shows before anything is written. Throws <see cref="ExportTooLargeException"/> when one minute of the
    /// export holds more than <see cref="StoreExporterOptions.MaxRowsInMemory"/> rows,
    /// <see cref="HttpRequestException"/> when the store fails.
    /// </summary>
    public async Task<ArrowExport> StartAsync(ExportQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var export = new ArrowExport(this, query);
        await export.ReadFirstSliceAsync(cancellationToken).ConfigureAwait(false);
        return export;
    }

    /// <summary>Reads the samples of [<paramref name="fromMs"/>, <paramref name="toMs"/>) into <paramref name="rows"/>; false past <paramref name="maxRows"/>.</summary>
    internal async Task<bool> ReadSliceAsync(
        ExportQuery query, ExportSeriesReader reader, JoinedRows rows, LabelTable labels, long fromMs, long toMs, int maxRows, CancellationToken cancellationToken)
    {
        var url = $"{Options.StoreUrl.TrimEnd('/')}/api/v1/export?match[]={Uri.EscapeDataString(Selector(query))}"
            + $"&start={Seconds(fromMs)}&end={Seconds(toMs)}";
        using var response = await _http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"the store answered {(int)response.StatusCode} to the export: {text.Trim()}", null, response.StatusCode);
        }

        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(body, rows, labels, fromMs, toMs, maxRows, cancellationToken).ConfigureAwait(false);
    }

    // PromQL series selector; label values are quoted strings with \ and " escaped.
    private static string Selector(ExportQuery query)
    {
        var layout = ExportLayout.Of(query.What);
        var selector = new StringBuilder("{__name__=~\"").Append(layout.NamePattern).Append('"');
        if (query.District is { } district)
        {
            selector.Append(",district=\"").Append(Quote(district)).Append('"');
        }

        if (query.Kind is { } kind)
        {
            selector.Append(",kind=\"").Append(Quote(kind)).Append('"');
        }
        else if (layout.KindPattern is { } kinds)
        {
            selector.Append(",kind=~\"").Append(kinds).Append('"');
        }

        return selector.Append('}').ToString();
    }

    private static string Quote(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Settings of <see cref="StoreExporter"/>.</summary>
public sealed record StoreExporterOptions
{
    /// <summary>VictoriaMetrics on its default local port.</summary>
    public static StoreExporterOptions Default { get; } = new();

    /// <summary>Base URL of VictoriaMetrics.</summary>
    public string StoreUrl { get; init; } = "http://127.0.0.1:8428";

    /// <summary>Rows per Arrow record batch: a batch is written to the output as soon as it is full.</summary>
    public int BatchRows { get; init; } = 65_536;

    /// <summary>
    /// Rows a time slice of the window aims at: each slice is sized from the rows per minute of the ones before.
    /// Four full record batches.
    /// </summary>
    public int SliceRows { get; init; } = 4 * 65_536;

    /// <summary>
    /// Most rows joined in memory at once (about 80 bytes each). A slice that reaches it is read again in shorter
    /// slices; one minute, the shortest slice (aggregates are one point per series and minute), holding more fails
    /// the export with <see cref="ExportTooLargeException"/>. A minute of a whole city's aggregates (190,000 devices)
    /// is about 370,000 rows at the simulator's reporting intervals, about 1.1 million if every device reported every minute.
    /// </summary>
    public int MaxRowsInMemory { get; init; } = 2_000_000;
}

/// <summary>One minute of the export holds more than <see cref="StoreExporterOptions.MaxRowsInMemory"/> rows.</summary>
public sealed class ExportTooLargeException(int maxRows)
    : Exception($"one minute of the export holds more than {maxRows} rows; filter by district or kind");
