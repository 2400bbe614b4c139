using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>The MQTT gateway: Kestrel hosting <see cref="MqttConnectionHandler"/> on a raw TCP endpoint.</summary>
public static class GatewayHost
{
    /// <summary>Builds a gateway (not started). The producer is owned by the returned application.</summary>
    public static WebApplication Build(GatewayOptions options, KafkaOptions kafka, DeviceRegistry registry, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        kafka.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null;
            k.Listen(options.ListenEndPoint, listen =>
            {
                listen.Protocols = HttpProtocols.None;
                listen.UseConnectionHandler<MqttConnectionHandler>();
            });
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton<GatewayCounters>();
        builder.Services.AddSingleton<SessionBook>();
        builder.Services.AddSingleton<DeviceLimits>();
        builder.Services.AddHostedService(sp => new CommandDelivery(options, kafka, sp.GetRequiredService<SessionBook>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<CommandDelivery>()));
        builder.Services.AddSingleton(sp => new RecordProducer(kafka, "sensing-gateway",
            m => sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sensing.Gateway.Kafka").LogWarning("{Message}", m)));
        builder.Services.AddSingleton(sp => new ReadingIngest(sp.GetRequiredService<RecordProducer>(), kafka.Topics, sp.GetRequiredService<GatewayCounters>()));
        return builder.Build();
    }
}
