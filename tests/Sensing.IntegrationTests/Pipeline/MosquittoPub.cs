using System.Diagnostics;
using System.Net;

namespace Sensing.IntegrationTests.Pipeline;

/// <summary>Runs the real <c>mosquitto_pub</c> client (mosquitto-clients 2.0) as a device would.</summary>
internal static class MosquittoPub
{
    /// <summary>Publishes one message; returns the exit code (0: sent, and for QoS 1/2 acknowledged).</summary>
    public static async Task<int> PublishAsync(IPEndPoint broker, string user, string password, string topic, string message,
        int qos = 1, string version = "mqttv311", TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("mosquitto_pub")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[]
        {
            "-h", broker.Address.ToString(), "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", user, "-u", user, "-P", password, "-V", version, "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-t", topic, "-m", message,
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return -1;
        }

        return process.ExitCode;
    }
}
