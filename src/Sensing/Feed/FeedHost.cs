using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Sensing.Feed.Auth;
using Sensing.Feed.Endpoints;
using Sensing.Kafka;

namespace Sensing.Feed;

/// <summary>
/// The alert feed: an HTTP API and operator console over the alerts on <c>sensing.alerts</c>. Endpoints are mapped
/// per concern (Endpoints/*Endpoints.cs): a new concern is one file and one line in <see cref="Build"/>.
/// </summary>
public static class FeedHost
{
    /// <summary>Builds the feed's web application (not started).</summary>
    public static WebApplication Build(FeedOptions options, KafkaOptions kafka, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        kafka.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        logging?.Invoke(builder.Logging);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, FeedJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddFeedOpenApi();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(kafka);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AlertBoard>();
        builder.Services.AddSingleton<AlertPublisher>();
        builder.Services.AddSingleton<FeedInstruments>();
        builder.Services.AddSingleton<AlertActions>();
        builder.Services.AddHostedService<AlertFeedConsumer>();
        builder.Services.AddHostedService<ShelveExpiry>();
        builder.Services.AddSingleton<FeedRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedRegistry>());
        builder.Services.AddSingleton(sp => new AlertResponseBook(options, sp.GetRequiredService<FeedRegistry>()));
        builder.Services.AddHostedService<FeedRulesFollower>();

        var app = builder.Build();
        app.Services.GetRequiredService<FeedInstruments>(); // published from the start, disposed with the application
        app.UseRouting();
        app.UseApiKeys(options.ApiKeys);
        app.MapAlertQueries();
        app.MapAlertStream();
        app.MapAlertActions();
        app.MapOperatorViews();
        app.MapDeviceAdmin();
        app.MapOperatorConsole();
        app.MapFeedOpenApi();
        app.MapAnalystExport(options.StoreUrl);
        app.MapAlertTrend(options.StoreUrl);
        return app;
    }

    /// <summary>The address a started feed listens on (resolves port 0).</summary>
    public static string BoundUrl(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
