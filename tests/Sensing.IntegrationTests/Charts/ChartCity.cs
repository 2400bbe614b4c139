using System.Globalization;
using System.Text;
using Sensing.Core.Devices;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// A short simulated city for the dashboards: one device of every kind in each of three districts, each sending a
/// reading every 10 s (event time) over the last eight minutes through the real gateway with QoS 1, with what the
/// dashboards show: a methane leak that rises past both alarm levels and clears (d01), one that stays above the
/// first level (d02), a closed gas valve, service pressure below 0.14 MPa for six minutes (past the low-pressure
/// on-delay, d03), heavy rain (72 mm, d03), a reservoir above its flood-limit level (d02), charging, an idle and a
/// faulted charger, a smoke alarm in alarm and a hydrant main below its minimum (d03) and a leaking circuit (d02).
/// </summary>
internal sealed class ChartCity
{
    public const int ReadingsPerDevice = 48;
    public const string Password = "chart-city";
    private static readonly string[] Districts = ["d01", "d02", "d03"];
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(10);

    // The registry's report interval: the devices publish their run at 10 s spacing and then stop, and a registered
    // interval of 10 minutes keeps the offline rule (silence for a multiple of it) from firing while the test reads.
    private const int RegisteredReportSeconds = 600;

    public ChartCity(long endMs)
    {
        EndMs = endMs;
        var hash = DeviceRegistryFile.HashSecret(Password);
        Heartbeat = new DeviceInfo("md-heartbeat", DeviceKind.MethaneDetector, "d03", 1, hash);
        foreach (var district in Districts)
        {
            foreach (var kind in DeviceKinds.All)
            {
                Devices.Add(new DeviceInfo($"{Prefix(kind)}-{district}", kind, district, RegisteredReportSeconds, hash)
                {
                    Parameters = DeviceParameters.Parse(kind switch
                    {
                        DeviceKind.WaterPressure => "role=far-end",
                        DeviceKind.WaterFlow => "role=inlet",
                        DeviceKind.ReservoirLevel => "warning_m=13;flood_limit_m=13.2;guaranteed_m=16;historic_max_m=17",
                        _ => "",
                    }),
                });
            }
        }
    }

    public List<DeviceInfo> Devices { get; } = [];

    /// <summary>
    /// A detector that keeps reporting clean air every second after the run, as a city never goes quiet: the
    /// processor completes batches (and writes its periodic points) only while readings arrive.
    /// </summary>
    public DeviceInfo Heartbeat { get; }

    /// <summary>Every device the registry must hold.</summary>
    public IEnumerable<DeviceInfo> Registry => Devices.Append(Heartbeat);

    /// <summary>Event time of the last reading of every device.</summary>
    public long EndMs { get; }

    /// <summary>Field values the city publishes in all (each becomes one sample in the store).</summary>
    public int FieldValues => Devices.Sum(d => Enumerable.Range(0, ReadingsPerDevice).Sum(i => Fields(d, i).Count));

    /// <summary>Connects every device and publishes its readings in order, each acknowledged by the gateway.</summary>
    public Task PublishAsync(System.Net.IPEndPoint gateway, CancellationToken cancellationToken) =>
        Task.WhenAll(Devices.Select(d => PublishDeviceAsync(d, gateway, cancellationToken)));

    /// <summary>Publishes a clean-air reading from <see cref="Heartbeat"/> every second until cancelled.</summary>
    public async Task RunHeartbeatAsync(System.Net.IPEndPoint gateway, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(Heartbeat, gateway, cancellationToken);
        try
        {
            for (var seq = 1; !cancellationToken.IsCancellationRequested; seq++)
            {
                var json = $"{{\"seq\":{seq},\"ts\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"lel\":0.4}}";
                await client.PublishAsync($"sensing/{Heartbeat.Id}/up", Encoding.UTF8.GetBytes(json), MqttQoS.AtLeastOnce, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task PublishDeviceAsync(DeviceInfo device, System.Net.IPEndPoint gateway, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(device, gateway, cancellationToken);
        for (var i = 0; i < ReadingsPerDevice; i++)
        {
            var eventMs = EndMs - ((ReadingsPerDevice - 1 - i) * (long)Spacing.TotalMilliseconds);
            var json = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{{\"seq\":{i + 1},\"ts\":{eventMs}");
            foreach (var (name, value) in Fields(device, i))
            {
                json.Append(CultureInfo.InvariantCulture, $",\"{name}\":{value}");
            }

            await client.PublishAsync($"sensing/{device.Id}/up", Encoding.UTF8.GetBytes(json.Append('}').ToString()), MqttQoS.AtLeastOnce, cancellationToken);
        }

        await client.DisconnectAsync(cancellationToken);
    }

    /// <summary>
    /// Connects as <paramref name="device"/> once more and publishes one payload that is not JSON, which the gateway
    /// acknowledges and sends to the dead-letter topic (reason MalformedJson).
    /// </summary>
    public static async Task PublishMalformedAsync(DeviceInfo device, System.Net.IPEndPoint gateway, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(device, gateway, cancellationToken);
        await client.PublishAsync($"sensing/{device.Id}/up", "lel=12"u8.ToArray(), MqttQoS.AtLeastOnce, cancellationToken);
        await client.DisconnectAsync(cancellationToken);
    }

    private static async Task<DeviceMqttClient> ConnectAsync(DeviceInfo device, System.Net.IPEndPoint gateway, CancellationToken cancellationToken)
    {
        var client = new DeviceMqttClient();
        try
        {
            await client.ConnectAsync(new DeviceMqttConnectOptions
            {
                Host = gateway.Address.ToString(),
                Port = gateway.Port,
                ClientId = device.Id,
                UserName = device.Id,
                Password = Password,
            }, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The metrics of reading <paramref name="i"/> (0-based) of <paramref name="device"/>.</summary>
    private static List<(string Name, double Value)> Fields(DeviceInfo device, int i)
    {
        var d = Array.IndexOf(Districts, device.District);
        return device.Kind switch
        {
            DeviceKind.MethaneDetector => [("lel", MethaneLel(d, i)), ("battery", 3.6 - (0.1 * d)), ("fault", 0)],
            DeviceKind.GasMeter =>
            [
                ("flow", 0.2 + (0.1 * d) + (0.01 * i)), ("volume", 1200 + (0.05 * i)), ("valve", d == 2 ? 0 : 1),
                ("battery", 3.4 - (0.2 * d)), ("rsrp", -95 - d), ("temp", 12 + d), ("alarm", 0),
            ],
            // d03 sags below the 0.14 MPa service pressure for the last six minutes of the run.
            DeviceKind.WaterPressure => [("pressure", d == 2 && i >= 12 ? 0.12 : 0.28 - (0.01 * d)), ("battery", 3.6)],
            DeviceKind.WaterFlow => [("water_flow", 40 + (5 * d) + (i % 6)), ("water_total", 90_000 + (0.01 * i)), ("battery", 3.6)],
            // Levels 12.5 m (d01, blue: within 0.5 m of its 13 m warning level), 13.5 m (d02, above the 13.2 m flood
            // limit), 14.5 m (d03): each raises water.reservoir-level at its colour.
            DeviceKind.ReservoirLevel => [("level", 12.5 + d + (0.01 * i)), ("battery", 3.6)],
            DeviceKind.RainGauge => [("rain", 0.5 * (d + 1)), ("battery", 3.6)],
            // OCPP 1.6 status codes: 2 Charging (d01), 0 Available (d02), 8 Faulted with error 3 GroundFailure (d03).
            DeviceKind.EvCharger =>
            [
                ("status", d switch { 0 => 2, 1 => 0, _ => 8 }), ("error", d == 2 ? 3 : 0), ("power", d == 0 ? 22 : 0),
                ("energy", 5_000 + (d == 0 ? 0.06 * i : 0)), ("voltage", 230), ("current", d == 0 ? 32 : 0), ("temp", 30),
            ],
            // Fire safety: d03's smoke alarm in alarm (bit 0) for the last two minutes, past the 1 min verification window,
            // so unconfirmed it is raised (Critical); d02's circuit leaking 340 mA, past the 300 mA set point (High),
            // from its 31st reading on; d03's hydrant main at 0.05 MPa, below the 0.10 MPa minimum, for its last six
            // minutes, past the 5 min on-delay (High, one alert for the building, here its district). The rest at rest.
            DeviceKind.SmokeAlarm => [("alarm", d == 2 && i >= 36 ? 1 : 0), ("battery", 3.6 - (0.1 * d))],
            DeviceKind.ElectricalFireDetector => [("residual_ma", d == 1 && i >= 30 ? 340 : 60 + d), ("temp", 30 + d)],
            DeviceKind.FireWaterPressure => [("pressure", d == 2 && i >= 12 ? 0.05 : 0.35 - (0.01 * d))],
            _ => throw new ArgumentOutOfRangeException(nameof(device), device.Kind, "not a device kind"),
        };
    }

    // d01: clean air, then past 25 %LEL (first level), past 50 %LEL (second level), then clean again so the
    // alert clears after its off-delay. d02: above the first level from the middle of the run on.
    private static double MethaneLel(int district, int i) => district switch
    {
        0 => i switch { < 4 => 1.2, < 6 => 31.5, < 8 => 62.0, _ => 0.8 },
        1 => i < 9 ? 1.5 : 30.0,
        _ => 0.5 + (0.1 * (i % 3)),
    };

    private static string Prefix(DeviceKind kind) => kind switch
    {
        DeviceKind.GasMeter => "gm",
        DeviceKind.MethaneDetector => "md",
        DeviceKind.EvCharger => "ev",
        DeviceKind.WaterPressure => "wp",
        DeviceKind.WaterFlow => "wf",
        DeviceKind.ReservoirLevel => "rl",
        DeviceKind.RainGauge => "rg",
        DeviceKind.SmokeAlarm => "sa",
        DeviceKind.ElectricalFireDetector => "ef",
        DeviceKind.FireWaterPressure => "fp",
        _ => "xx",
    };
}
