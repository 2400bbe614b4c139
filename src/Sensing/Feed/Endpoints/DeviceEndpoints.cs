using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Feed.Auth;
using Sensing.Registry;

namespace Sensing.Feed.Endpoints;

/// <summary>
/// <c>/api/devices/{id}</c>: the device registry for keys with the admin role. GET shows an entry (never its
/// secret); PUT adds or changes one; DELETE removes one (tombstone); POST <c>revoke</c>, <c>restore</c>,
/// <c>rotate-secret</c>. Every change is written to <c>sensing.devices</c>, reaches every gateway and processor within
/// seconds, and is audited on <c>sensing.audit</c> with the key's name.
/// </summary>
internal static class DeviceEndpoints
{
    public static void MapDeviceAdmin(this IEndpointRouteBuilder app)
    {
        Describe(app.MapGet("/api/devices/{id}", (FeedRegistry registry, string id) =>
            registry.Admin is not { } admin ? NotReady()
            : admin.Registry.TryFind(id, out var device) ? TypedResults.Ok(DeviceView.Of(device))
            : FeedProblems.NotFound($"no device '{id}'")), "getDevice", "A device's registry entry (without its secret)");

        Describe(app.MapPut("/api/devices/{id}", (HttpContext context, FeedRegistry registry, string id) => RunAsync(context, registry, async admin =>
            {
                var edit = await ReadEditAsync(context.Request, context.RequestAborted);
                var result = await admin.AddAsync(id, edit, context.Caller().Name, context.RequestAborted);
                return result.Outcome == DeviceActionOutcome.Exists ? await admin.UpdateAsync(id, edit, context.Caller().Name, context.RequestAborted) : result;
            })),
            "putDevice", "Add a device, or change the fields given of a registered one",
            "body: {\"kind\", \"district\", \"report_s\" (required to add), \"params\", \"password\" or \"secret_sha256\", \"lat\" and \"lon\" (WGS 84 degrees)}");

        Describe(app.MapDelete("/api/devices/{id}", (HttpContext context, FeedRegistry registry, string id) =>
            RunAsync(context, registry, admin => admin.RemoveAsync(id, context.Caller().Name, context.RequestAborted))),
            "removeDevice", "Remove a device: its key is tombstoned, gateways close its connection and refuse it");

        Describe(app.MapPost("/api/devices/{id}/revoke", (HttpContext context, FeedRegistry registry, string id) =>
            RunAsync(context, registry, admin => admin.RevokeAsync(id, context.Caller().Name, context.RequestAborted))),
            "revokeDevice", "Revoke a device: gateways close its connection and refuse it until it is restored");

        Describe(app.MapPost("/api/devices/{id}/restore", (HttpContext context, FeedRegistry registry, string id) =>
            RunAsync(context, registry, admin => admin.RestoreAsync(id, context.Caller().Name, context.RequestAborted))),
            "restoreDevice", "Admit a revoked device again");

        Describe(app.MapPost("/api/devices/{id}/rotate-secret", (HttpContext context, FeedRegistry registry, string id) => RunAsync(context, registry, async admin =>
            {
                var edit = await ReadEditAsync(context.Request, context.RequestAborted);
                return await admin.RotateSecretAsync(id, edit.Password, context.Caller().Name, context.RequestAborted);
            })),
            "rotateDeviceSecret", "Give a device a new password (the body's \"password\", or a random one returned once); it takes effect on the next connect");
    }

    private static void Describe(RouteHandlerBuilder endpoint, string name, string summary, string? description = null) => endpoint
        .RequireFeedRole(FeedRole.Admin)
        .WithName(name)
        .WithSummary(summary)
        .WithDescription((description is null ? "" : description + ". ") + "Admin role only; every change is audited on sensing.audit.")
        .Produces<DeviceView>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static IResult NotReady() =>
        Results.Problem("the feed is still reading sensing.devices", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Registry not read yet");

    private static async Task<IResult> RunAsync(HttpContext context, FeedRegistry registry, Func<DeviceAdmin, Task<DeviceActionResult>> act)
    {
        if (registry.Admin is not { } admin)
        {
            return NotReady();
        }

        try
        {
            var result = await act(admin);
            return result.Outcome switch
            {
                DeviceActionOutcome.NotFound => FeedProblems.NotFound($"no device '{context.GetRouteValue("id")}'"),
                _ => TypedResults.Ok(DeviceView.Of(result.Device!, result.NewPassword)),
            };
        }
        catch (DeviceEditException e)
        {
            return FeedProblems.BadRequest(new FeedRequestException(e.Field, e.Problem));
        }
        catch (FeedRequestException e)
        {
            return FeedProblems.BadRequest(e);
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            return FeedProblems.Unavailable(e.Error.Reason + "; nothing was changed");
        }
    }

    private static async Task<DeviceEdit> ReadEditAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > ActionBody.MaxBytes)
        {
            throw new FeedRequestException("body", $"larger than {ActionBody.MaxBytes} bytes");
        }

        if (buffer.Length == 0)
        {
            return new DeviceEdit();
        }

        try
        {
            using var json = JsonDocument.Parse(buffer.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FeedRequestException("body", "must be a JSON object");
            }

            string? Text(string name) => json.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FeedRequestException(name, "must be a string")
                : null;
            int? report = json.RootElement.TryGetProperty("report_s", out var r)
                ? r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var seconds) ? seconds : throw new FeedRequestException("report_s", "must be a whole number of seconds")
                : null;
            double? Degrees(string name) => json.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new FeedRequestException(name, "must be a number of degrees")
                : null;
            return new DeviceEdit(Text("kind"), Text("district"), report, Text("params"), Text("password"), Text("secret_sha256"))
            {
                Latitude = Degrees("lat"),
                Longitude = Degrees("lon"),
            };
        }
        catch (JsonException e)
        {
            throw new FeedRequestException("body", "not JSON: " + e.Message);
        }
    }
}

/// <summary>A device's registry entry as the admin API shows it: every field but the secret.</summary>
/// <param name="Id">Device id.</param>
/// <param name="Kind">Device kind.</param>
/// <param name="District">District.</param>
/// <param name="ReportS">Nominal reporting interval, seconds.</param>
/// <param name="HasSecret">Whether the device connects with a password.</param>
/// <param name="Params">Kind-specific parameters, <c>name=value;name=value</c>.</param>
/// <param name="Revoked">Whether the device is revoked.</param>
/// <param name="Password">A password the action made (rotate-secret without one given), shown this once.</param>
public sealed record DeviceView(string Id, string Kind, string District, int ReportS, bool HasSecret, string Params, bool Revoked, string? Password = null)
{
    /// <summary>Latitude, WGS 84 degrees; absent when the registry has no coordinates for the device.</summary>
    public double? Lat { get; init; }

    /// <summary>Longitude, WGS 84 degrees; absent when the registry has no coordinates for the device.</summary>
    public double? Lon { get; init; }

    /// <summary>The view of <paramref name="device"/>.</summary>
    public static DeviceView Of(DeviceInfo device, string? password = null) =>
        new(device.Id, device.Kind.Name(), device.District, device.ReportIntervalSeconds, device.HasSecret, device.Parameters.ToString(), device.Revoked, password)
        {
            Lat = device.Latitude,
            Lon = device.Longitude,
        };
}
