using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>
/// The MQTT gateway: Kestrel hosting <see cref="MqttConnectionHandler"/> on a raw TCP endpoint, optionally on a TLS
/// endpoint (same handler behind Kestrel's TLS) and on an HTTP endpoint for MQTT over WebSocket at <c>/mqtt</c>.
/// </summary>
public static class GatewayHost
{
    /// <summary>The HTTP path of MQTT over WebSocket.</summary>
    public const string WebSocketPath = "/mqtt";

    /// <summary>Builds a gateway (not started). The producer is owned by the returned application.</summary>
    public static WebApplication Build(GatewayOptions options, KafkaOptions kafka, DeviceRegistry registry, Action<ILoggingBuilder>? logging = null, IngestOptions? ingest = null)
    {
        options.Validate();
        kafka.Validate();
        ingest = (ingest ?? IngestOptions.Default).Validate();
        var certificate = options.TlsListen.Length != 0 ? LoadCertificate(options) : null;
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
            if (certificate is not null)
            {
                k.Listen(System.Net.IPEndPoint.Parse(options.TlsListen), listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    listen.UseHttps(certificate);
                    listen.UseConnectionHandler<MqttConnectionHandler>();
                });
            }

            if (options.WebSocketListen.Length != 0)
            {
                k.Listen(System.Net.IPEndPoint.Parse(options.WebSocketListen), listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton<GatewayCounters>();
        builder.Services.AddSingleton<SessionBook>();
        builder.Services.AddSingleton<DeviceLimits>();
        builder.Services.AddSingleton(_ => new KeepAliveClock());
        builder.Services.AddSingleton<MqttConnectionHandler>();
        builder.Services.AddSingleton<GatewayInstruments>();
        builder.Services.AddHostedService(sp => new CommandDelivery(options, kafka, sp.GetRequiredService<SessionBook>(), sp.GetRequiredService<RecordProducer>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<CommandDelivery>()));
        builder.Services.AddSingleton(sp => new RecordProducer(kafka, "sensing-gateway",
            m => sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sensing.Gateway.Kafka").LogWarning("{Message}", m), ingest.Circuit));
        builder.Services.AddSingleton(sp => new ReadingIngest(sp.GetRequiredService<RecordProducer>(), kafka.Topics, sp.GetRequiredService<GatewayCounters>(), ingest));
        var app = builder.Build();
        app.Services.GetRequiredService<GatewayInstruments>(); // published from the start, disposed with the application
        // A device removed from the registry or revoked is disconnected at once, on whichever gateway holds it.
        var sessions = app.Services.GetRequiredService<SessionBook>();
        Action<IReadOnlyList<DeviceChange>> revoke = sessions.OnRegistryChanged;
        registry.Changed += revoke;
        app.Lifetime.ApplicationStopping.Register(() => registry.Changed -= revoke);
        if (options.WebSocketListen.Length != 0)
        {
            app.UseWebSockets();
            app.Map(WebSocketPath, AcceptWebSocketAsync);
        }

        return app;
    }

    /// <summary>Loads the TLS certificate: PKCS#12 by extension (.pfx/.p12), PEM otherwise.</summary>
    public static X509Certificate2 LoadCertificate(GatewayOptions options)
    {
        var path = options.TlsCertificate;
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, null);
            }

            return X509Certificate2.CreateFromPemFile(path, options.TlsKey.Length != 0 ? options.TlsKey : null);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"gateway.tlsCert: '{path}' is not a usable certificate with its key: {e.Message}", e);
        }
    }

    private static async Task AcceptWebSocketAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // [MQTT-6.0.0-3]/[MQTT-6.0.0-4]: the client offers the "mqtt" subprotocol and the server selects it.
        var offered = http.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketTransport.SubProtocol, StringComparer.OrdinalIgnoreCase);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(offered ? WebSocketTransport.SubProtocol : null);
        var connection = http.Connection;
        await using var transport = new WebSocketTransport(socket, connection.Id,
            connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, connection.RemotePort) : null,
            connection.LocalIpAddress is { } local ? new System.Net.IPEndPoint(local, connection.LocalPort) : null);
        var pump = transport.PumpAsync();
        await http.RequestServices.GetRequiredService<MqttConnectionHandler>().OnConnectedAsync(transport);
        await transport.Transport.Output.CompleteAsync();
        await pump;
    }
}
