using Sensing.Storage.Arrow;
using Sensing.Storage.Export;

namespace Sensing.Feed;

/// <summary>
/// <c>GET /api/export?what=aggregates|alerts&amp;from=..&amp;to=..&amp;district=..&amp;kind=..</c>: the analyst export,
/// an Arrow IPC stream (<c>application/vnd.apache.arrow.stream</c>) read from the time-series store
/// (<see cref="StoreExporter"/>). 400 for bad parameters or an export too large, 502 when the store fails.
/// </summary>
public static class ExportEndpoint
{
    private static readonly HttpClient StoreHttp = new() { Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Maps the export endpoint, reading the store at <paramref name="storeUrl"/>.</summary>
    public static void MapAnalystExport(this WebApplication app, string storeUrl)
    {
        ArgumentNullException.ThrowIfNull(app);
        var exporter = new StoreExporter(StoreHttp, StoreExporterOptions.Default with { StoreUrl = storeUrl });
        app.MapGet("/api/export", async (HttpContext http, string? what, string? from, string? to, string? district, string? kind) =>
        {
            ExportRows rows;
            ExportQuery query;
            try
            {
                query = ExportQuery.Parse(what, from, to, district, kind);
                rows = await exporter.LoadAsync(query, http.RequestAborted);
            }
            catch (Exception e) when (e is ArgumentException or ExportTooLargeException)
            {
                await Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
                return;
            }
            catch (HttpRequestException e)
            {
                await Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway).ExecuteAsync(http);
                return;
            }

            http.Response.ContentType = ArrowStreamWriter.MediaType;
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"sensing-{what}-{query.FromMs}-{query.ToMs}.arrows\"";
            http.Response.Headers["X-Export-Rows"] = rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await exporter.WriteArrowAsync(rows, http.Response.Body, http.RequestAborted);
        });
    }
}
