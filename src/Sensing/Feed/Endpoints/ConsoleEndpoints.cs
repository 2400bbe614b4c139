namespace Sensing.Feed.Endpoints;

/// <summary>
/// The operator console: plain HTML, CSS and JavaScript embedded in the executable and served at <c>/</c>. The page
/// loads nothing from elsewhere, and its Content-Security-Policy says so.
/// </summary>
internal static class ConsoleEndpoints
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/console.css", "console.css", "text/css; charset=utf-8"),
        ("/console.js", "console.js", "text/javascript; charset=utf-8"),
        ("/attention.js", "attention.js", "text/javascript; charset=utf-8"),
        ("/panels.js", "panels.js", "text/javascript; charset=utf-8"),
        ("/map.js", "map.js", "text/javascript; charset=utf-8"),
    ];

    public static void MapOperatorConsole(this IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Load(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = Policy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(ConsoleEndpoints).Assembly.GetManifestResourceStream("Sensing.Feed.Console." + name)
            ?? throw new InvalidOperationException($"console file {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
