using Sensing.Storage.Export;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// <c>GET /api/export?what=aggregates|alerts|fire&amp;from=..&amp;to=..&amp;district=..&amp;kind=..</c>: the analyst export,
/// an Arrow IPC stream (<c>application/vnd.apache.arrow.stream</c>) read from the time-series store
/// (<see cref="StoreExporter"/>) and streamed in record batches as it is read. 400 for bad parameters or a minute too
/// large to join, 502 when the store fails before the first byte; a store failure later cuts the stream short.
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
            ArrowExport export;
            ExportQuery query;
            try
            {
                query = ExportQuery.Parse(what, from, to, district, kind);
                export = await exporter.StartAsync(query, http.RequestAborted);
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

            http.Response.ContentType = ArrowExport.MediaType;
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"sensing-{what}-{query.FromMs}-{query.ToMs}.arrows\"";
            await export.WriteAsync(http.Response.Body, http.RequestAborted);
        });
    }
}
