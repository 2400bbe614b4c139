namespace Sensing.Feed.Auth;

/// <summary>Endpoint metadata: the least role a caller's key must have.</summary>
/// <param name="Role">Least role.</param>
/// <param name="AllowQueryKey">
/// Accept the key as <c>?key=</c> too. Only for the live stream: a browser's EventSource cannot set headers.
/// </param>
public sealed record FeedRoleRequirement(FeedRole Role, bool AllowQueryKey = false);

/// <summary>
/// Checks the caller's API key (header <c>X-Api-Key</c>) against the endpoint's <see cref="FeedRoleRequirement"/>
/// before anything else runs, so a refused request reads no body and changes nothing: no key or an unknown key
/// is 401, a key whose role is too low is 403. Everything under <c>/api</c> needs at least a viewer key, whether
/// or not its endpoint says so (and whether or not the path exists): nobody without a key gets in.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The query parameter that carries the key where headers cannot be set.</summary>
    public const string QueryName = "key";

    private const string CallerItem = "sensing.feed.caller";

    /// <summary>What an <c>/api</c> endpoint without its own requirement needs.</summary>
    public static readonly FeedRoleRequirement ApiDefault = new(FeedRole.Viewer);

    /// <summary>Requires a key of at least <paramref name="role"/> for the endpoint(s).</summary>
    public static TBuilder RequireFeedRole<TBuilder>(this TBuilder builder, FeedRole role, bool allowQueryKey = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FeedRoleRequirement(role, allowQueryKey));

    /// <summary>The key entry of an authenticated request.</summary>
    public static ApiKeyEntry Caller(this HttpContext context) =>
        context.Items[CallerItem] as ApiKeyEntry ?? throw new InvalidOperationException("endpoint has no FeedRoleRequirement");

    /// <summary>Adds the key check; place it after routing so the endpoint's requirement is known.</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app, ApiKeyRing ring) => app.Use(async (context, next) =>
    {
        var requirement = context.GetEndpoint()?.Metadata.GetMetadata<FeedRoleRequirement>()
            ?? (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? ApiDefault : null);
        if (requirement is null)
        {
            await next(context);
            return;
        }

        string? presented = context.Request.Headers[HeaderName];
        if (string.IsNullOrEmpty(presented) && requirement.AllowQueryKey)
        {
            presented = context.Request.Query[QueryName];
        }

        if (string.IsNullOrEmpty(presented))
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                $"{HeaderName}: missing; every /api request needs an API key" + (requirement.AllowQueryKey ? $" (header {HeaderName} or query ?{QueryName}=)" : ""));
            return;
        }

        if (ring.Identify(presented) is not { } caller)
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, "Unauthorized", $"{HeaderName}: not a known API key");
            return;
        }

        if (caller.Role < requirement.Role)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"{HeaderName}: key '{caller.Name}' has role {ApiKeyRing.RoleName(caller.Role)}; this action needs {ApiKeyRing.RoleName(requirement.Role)}");
            return;
        }

        context.Items[CallerItem] = caller;
        await next(context);
    });

    private static Task Refuse(HttpContext context, int status, string title, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{HeaderName}\"";
        }

        return Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}
