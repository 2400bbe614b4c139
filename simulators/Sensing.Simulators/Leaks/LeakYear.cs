using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Leaks;

/// <summary>A generated leak year: the devices, their readings in event-time order, and the leaks injected.</summary>
/// <param name="Options">What was generated.</param>
/// <param name="Devices">One inlet meter per district (<c>role=inlet</c>), and a pressure sensor where asked.</param>
/// <param name="Readings">Every reading, in event-time order.</param>
/// <param name="Leaks">Ground truth.</param>
public sealed record LeakYear(LeakScenarioOptions Options, IReadOnlyList<DeviceInfo> Devices, List<RecordedReading> Readings, IReadOnlyList<LeakTruth> Leaks)
{
    /// <summary>End of the data, Unix ms.</summary>
    public long EndMs => Options.Start.ToUnixTimeMilliseconds() + (Options.Days * 86_400_000L);

    /// <summary>
    /// Generates a year of district inflow as utilities see it: demand with a weekday and a weekend shape (local
    /// time, daylight saving), a seasonal swing of 5-20 %, public holidays on the weekend shape and a summer holiday
    /// month at lower demand, weather that moves each day's level (AR(1) over days), correlated minute-to-minute demand
    /// noise, background leakage of 8-20 %, short legitimate draws (mains flushing, fire fighting) of 10-20 % for 1-3
    /// hours, meter noise and resolution, outages (gaps) and stuck values; and 1-3 leaks per district of 2-15 % of
    /// its mean inflow, abrupt or growing linearly over 7-60 days, never repaired.
    /// </summary>
    public static LeakYear Generate(LeakScenarioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);
        var startMs = options.Start.ToUnixTimeMilliseconds();
        var stepMs = options.IntervalSeconds * 1000L;
        var steps = (int)(options.Days * 86_400_000L / stepMs);
        var districts = new DistrictModel[options.Districts];
        var devices = new List<DeviceInfo>();
        var leaks = new List<LeakTruth>();
        for (var d = 0; d < districts.Length; d++)
        {
            var name = $"dma{d + 1:00}";
            var model = districts[d] = DistrictModel.Create(name, random, options, startMs, steps, stepMs);
            model.Inlet = new DeviceInfo($"{name}-inlet", DeviceKind.WaterFlow, name, options.IntervalSeconds, "")
            {
                Parameters = DeviceParameters.Parse("role=inlet"),
            };
            devices.Add(model.Inlet);
            if (options.WithPressure)
            {
                model.Pressure = new DeviceInfo($"{name}-p1", DeviceKind.WaterPressure, name, options.IntervalSeconds, "");
                devices.Add(model.Pressure);
            }

            leaks.AddRange(model.Leaks);
        }

        var readings = new List<RecordedReading>(steps * devices.Count);
        var offsetHour = long.MinValue;
        var offsetMs = 0L;
        for (var s = 0; s < steps; s++)
        {
            var timeMs = startMs + (s * stepMs);
            if (timeMs / 3_600_000 != offsetHour)
            {
                offsetHour = timeMs / 3_600_000;
                offsetMs = (long)options.TimeZone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(timeMs)).TotalMilliseconds;
            }

            var local = DateTimeOffset.FromUnixTimeMilliseconds(timeMs + offsetMs).UtcDateTime;
            foreach (var model in districts)
            {
                var flow = model.Flow(s, timeMs, local, stepMs, random);
                if (model.FlowMeter.Read(s, flow, out var read))
                {
                    readings.Add(new RecordedReading(model.Inlet!, timeMs, timeMs, [new MetricValue(Metric.WaterFlow, read)]));
                }

                if (model.Pressure is { } sensor)
                {
                    // Head loss grows with the square of the flow through the inlet main (Darcy-Weisbach).
                    var ratio = flow / (model.MeanFlow * 1.6);
                    var pressure = 0.42 - (0.12 * ratio * ratio) + (Gaussian(random) * 0.002);
                    if (model.PressureMeter.Read(s, Math.Round(pressure, 4), out var p))
                    {
                        readings.Add(new RecordedReading(sensor, timeMs, timeMs, [new MetricValue(Metric.Pressure, p)]));
                    }
                }
            }
        }

        return new LeakYear(options, devices, readings, leaks);
    }

    internal static double Gaussian(Random random)
    {
        // Box-Muller.
        var u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
