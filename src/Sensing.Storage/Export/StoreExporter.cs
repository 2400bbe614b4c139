using System.Globalization;
using System.Text;
using System.Text.Json;
using Sensing.Storage.Arrow;

namespace Sensing.Storage.Export;

/// <summary>
/// Analyst exports from VictoriaMetrics as Arrow IPC streams. Reads the window's raw samples with
/// <c>/api/v1/export</c> (JSON lines, one series per line), joins the fields of one point (VictoriaMetrics stores each
/// line-protocol field as its own series) back into rows, and writes them in record batches.
/// </summary>
/// <remarks>
/// Both kinds come from the store, so an export is one consistent source: aggregates as the processor wrote them,
/// alerts as the lifecycle events the processor wrote (<c>sensing_alert</c>). Samples repeated by at-least-once
/// delivery (same series, same time) become one row. The rows of one export are held in memory to be joined, bounded
/// by <see cref="StoreExporterOptions.MaxRows"/>.
/// </remarks>
public sealed partial class StoreExporter
{
    private readonly HttpClient _http;
    private readonly StoreExporterOptions _options;

    /// <summary>Creates an exporter reading the store at <see cref="StoreExporterOptions.StoreUrl"/>.</summary>
    public StoreExporter(HttpClient http, StoreExporterOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
    }

    /// <summary>
    /// Reads the rows of <paramref name="query"/> from the store. Throws <see cref="ExportTooLargeException"/> past
    /// <see cref="StoreExporterOptions.MaxRows"/>, <see cref="HttpRequestException"/> when the store fails.
    /// </summary>
    public async Task<ExportRows> LoadAsync(ExportQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = query.What == ExportKind.Aggregates ? (ExportRows)new AggregateRows(_options.MaxRows) : new AlertRows(_options.MaxRows);
        var url = $"{_options.StoreUrl.TrimEnd('/')}/api/v1/export?match[]={Uri.EscapeDataString(Selector(query))}"
            + $"&start={Seconds(query.FromMs)}&end={Seconds(query.ToMs)}";
        using var response = await _http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"the store answered {(int)response.StatusCode} to the export: {text.Trim()}", null, response.StatusCode);
        }

        using var body = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        while (await body.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var series = JsonDocument.Parse(line);
            var root = series.RootElement;
            var labels = root.GetProperty("metric");
            var values = root.GetProperty("values");
            var timestamps = root.GetProperty("timestamps");
            for (var i = 0; i < timestamps.GetArrayLength(); i++)
            {
                var time = timestamps[i].GetInt64();
                // The store's export range is inclusive at both ends; the export window is [from, to).
                if (time >= query.FromMs && time < query.ToMs)
                {
                    rows.Add(labels, time, values[i].GetDouble());
                }
            }
        }

        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> to <paramref name="output"/> as an Arrow IPC stream.</summary>
    public async Task WriteArrowAsync(ExportRows rows, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var writer = new ArrowStreamWriter(output, rows.Schema);
        using var batch = new ArrowBatchBuilder(rows.Schema);
        await writer.WriteSchemaAsync(cancellationToken).ConfigureAwait(false);
        foreach (var _ in rows.Fill(batch, _options.BatchRows))
        {
            await writer.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }

        await writer.WriteEndAsync(cancellationToken).ConfigureAwait(false);
    }

    // PromQL series selector; label values are quoted strings with \ and " escaped.
    private static string Selector(ExportQuery query)
    {
        var selector = new StringBuilder(query.What == ExportKind.Aggregates
            ? "{__name__=~\"sensing_agg_1m_.+\""
            : "{__name__=~\"sensing_alert_(value|peak|count)\"");
        if (query.District is { } district)
        {
            selector.Append(",district=\"").Append(Quote(district)).Append('"');
        }

        if (query.Kind is { } kind)
        {
            selector.Append(",kind=\"").Append(Quote(kind)).Append('"');
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

    /// <summary>Most rows one export may hold (they are joined in memory).</summary>
    public int MaxRows { get; init; } = 2_000_000;

    /// <summary>Rows per Arrow record batch.</summary>
    public int BatchRows { get; init; } = 65_536;
}

/// <summary>The export would hold more rows than <see cref="StoreExporterOptions.MaxRows"/>.</summary>
public sealed class ExportTooLargeException(int maxRows)
    : Exception($"the export holds more than {maxRows} rows; narrow the window or filter by district or kind");
