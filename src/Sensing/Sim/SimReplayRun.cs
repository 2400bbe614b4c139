using System.Net;
using Sensing.Core.Devices;
using Sensing.Simulators.Publishing;
using Sensing.Simulators.Replay;
using Spectre.Console;

namespace Sensing.Sim;

/// <summary>Settings of <c>sensing sim replay</c>.</summary>
public sealed record SimReplayOptions
{
    /// <summary>The recording.</summary>
    public required string Input { get; init; }

    /// <summary>Long or wide CSV.</summary>
    public RecordingFormat Format { get; init; } = RecordingFormat.Long;

    /// <summary>Sensor map, or null when sensors are named <c>device/metric</c>.</summary>
    public string? Map { get; init; }

    /// <summary>Registry giving kinds and districts of <c>device/metric</c> sensors, or null.</summary>
    public string? Registry { get; init; }

    /// <summary>MQTT endpoint.</summary>
    public required IPEndPoint Broker { get; init; }

    /// <summary>Recorded seconds per real second.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Keep the recorded timestamps instead of moving the recording to start now.</summary>
    public bool KeepTimestamps { get; init; }

    /// <summary>Where to write the replayed devices as a registry (empty secrets), or null.</summary>
    public string? RegistryOut { get; init; }
}

/// <summary><c>sensing sim replay</c>: publishes a recorded series over MQTT.</summary>
public sealed class SimReplayRun(SimReplayOptions options, IAnsiConsole console)
{
    /// <summary>Runs; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var registry = options.Registry is null ? [] : DeviceRegistryFile.Read(options.Registry);
        var map = options.Map is null ? SensorMap.FromRegistry(registry) : SensorMap.Load(options.Map, registry);
        var readings = RecordedReadings.Group(RecordingReader.Read(options.Input, options.Format), map, options.Input);
        var devices = readings.Select(r => r.Device).DistinctBy(d => d.Id).ToList();
        console.MarkupLineInterpolated($"replay: {readings.Count:N0} readings of {devices.Count:N0} devices from {options.Input} at {options.Speed}x to {options.Broker}");
        if (options.RegistryOut is { } registryOut)
        {
            // Replayed devices connect without a password: the gateway's registry lists them with an empty secret.
            DeviceRegistryFile.Write(registryOut, devices.Select(d => d with { SecretSha256 = "" }));
            console.MarkupLineInterpolated($"registry: {registryOut}");
        }

        var publisher = new RecordingPublisher(readings, new PublishOptions { Broker = options.Broker, Speed = options.Speed }, !options.KeepTimestamps);
        var progress = new PublishProgress(publisher.Counters);
        await progress.ShowWhileAsync(console, publisher.RunAsync(cancellationToken));
        progress.Summary(console, "sensing sim replay: summary", [("recording", options.Input), ("speed", $"{options.Speed}x")]);
        return publisher.Counters.Errors == 0 ? 0 : 1;
    }
}
