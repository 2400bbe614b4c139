using Microsoft.OpenApi;
using Sensing.Feed.Auth;

namespace Sensing.Feed.Endpoints;

/// <summary>The OpenAPI 3.1 description of the feed's API, generated from the mapped endpoints, at <c>/openapi.json</c>.</summary>
internal static class FeedOpenApi
{
    public const string Path = "/openapi.json";

    private const string SchemeName = "apiKey";

    public static IServiceCollection AddFeedOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Sensing alert feed",
                Version = "1",
                Description = "Alerts of the city's sensing network, rebuilt from Kafka sensing.alerts: query, history, live stream " +
                    "(SSE) and operator actions (acknowledge, shelve, unshelve), each audited on sensing.alerts. Every /api request " +
                    $"needs an API key in the {ApiKeyAuthentication.HeaderName} header (the stream also accepts ?{ApiKeyAuthentication.QueryName}=, " +
                    "for EventSource); viewer keys read, operator keys also act. Errors are application/problem+json.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthentication.HeaderName,
                Description = "API key from the keys file (--api-keys): roles viewer and operator",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var requirement = context.Description.ActionDescriptor.EndpointMetadata.OfType<FeedRoleRequirement>().FirstOrDefault()
                ?? (context.Description.RelativePath?.StartsWith("api/", StringComparison.OrdinalIgnoreCase) == true ? ApiKeyAuthentication.ApiDefault : null);
            if (requirement is not null)
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
                operation.Description = (operation.Description is null ? "" : operation.Description + " ") +
                    $"Needs a {ApiKeyRing.RoleName(requirement.Role)} key.";
            }

            return Task.CompletedTask;
        });
    });

    public static void MapFeedOpenApi(this IEndpointRouteBuilder app) => app.MapOpenApi(Path);
}
