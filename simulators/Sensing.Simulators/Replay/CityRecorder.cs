using Sensing.Core.Telemetry;
using Sensing.Simulators.City;

namespace Sensing.Simulators.Replay;

/// <summary>Runs a city through simulation time as fast as the machine allows, without a network, recording every reading.</summary>
public static class CityRecorder
{
    /// <summary>Simulates from <paramref name="startMs"/> for <paramref name="duration"/>, handing each reading to <paramref name="onReading"/>; returns the readings produced.</summary>
    public static long Run(CityModel city, long startMs, TimeSpan duration, Action<SimulatedReading, ReadOnlySpan<MetricValue>> onReading)
    {
        ArgumentNullException.ThrowIfNull(onReading);
        var simulation = new CitySimulation(city, startMs, startMs + (long)duration.TotalMilliseconds);
        Span<MetricValue> metrics = stackalloc MetricValue[CityModel.MaxMetrics];
        long count = 0;
        while (simulation.TryNext(metrics, out var reading))
        {
            onReading(reading, metrics[..reading.MetricCount]);
            count++;
        }

        return count;
    }

    /// <summary>Simulates and writes every reading to a long-form CSV (<see cref="ReadingsCsvWriter"/>); returns the readings produced.</summary>
    public static long WriteCsv(CityModel city, long startMs, TimeSpan duration, string path)
    {
        using var writer = new ReadingsCsvWriter(path);
        return Run(city, startMs, duration, (r, m) => writer.Write(r.Device.Info.Id, r.EventTimeMs, r.TimeMs, m));
    }
}
