using System.Diagnostics;

namespace Sensing.IntegrationTests.LocalServers;

/// <summary>The kcat CLI (librdkafka's, from apt) as an independent Kafka client, set up for a 0.9 broker.</summary>
internal static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Produces one message to one partition; throws when kcat fails.</summary>
    public static async Task ProduceAsync(string bootstrapServers, string topic, int partition, string message)
    {
        // -P reads one message per line from stdin; -p picks the partition.
        await RunAsync(bootstrapServers, ["-P", "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)], message + "\n");
    }

    /// <summary>Reads every message of a topic from the beginning and exits at the end of all partitions (-e).</summary>
    public static async Task<string[]> ConsumeAllAsync(string bootstrapServers, string topic)
    {
        string output = await RunAsync(bootstrapServers, ["-C", "-t", topic, "-o", "beginning", "-e", "-q"], null);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<string> RunAsync(string bootstrapServers, string[] arguments, string? input)
    {
        var startInfo = new ProcessStartInfo("kcat")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])["-b", bootstrapServers, "-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0.1", .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kcat {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
