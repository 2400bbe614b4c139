using Sensing.Core.Telemetry;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>The water network: district demand, pressure that falls as demand rises, inlet and DMA flow, reservoirs, rain.</summary>
public sealed partial class CityModel
{
    // Hazen-Williams: head loss grows with flow to the power 1.852.
    private const double HeadLossExponent = 1.852;

    // A burst adds 45 % of the district's mean inflow; a growing leak adds 8 % of the minimum night flow a day.
    private const double BurstExtraDemand = 0.45;
    private const double IncipientGrowthPerDay = 0.08;

    /// <summary>
    /// District demand factor at <paramref name="timeMs"/> (1 = the district's mean inflow): the diurnal shape, a
    /// day-to-day variation of about 2 % that changes gradually from one day to the next, plus the flow of a burst or growing leak in progress.
    /// </summary>
    public double DistrictDemand(int district, long timeMs)
    {
        // Each local day has its own demand level (about 2 %, weather and day of the week), taken to hold at local noon;
        // demand moves linearly from one day's level to the next. A city's demand does not jump at midnight.
        var days = ((timeMs + Options.UtcOffset.TotalMilliseconds) / MsPerDay) - 0.5;
        var day = (long)Math.Floor(days);
        var f = days - day;
        var level = ((1 - f) * Noise.Gaussian(Options.Seed, Devices.Count + district, day, ChDay))
            + (f * Noise.Gaussian(Options.Seed, Devices.Count + district, day + 1, ChDay));
        var demand = DiurnalDemand.Water(LocalHour(timeMs)) * (1 + (0.02 * level));
        if (ActiveInDistrict(district, timeMs, IncidentKind.PipeBurst) is not null)
        {
            demand += BurstExtraDemand;
        }

        if (ActiveInDistrict(district, timeMs, IncidentKind.IncipientLeak) is { } leak)
        {
            demand += IncipientGrowthPerDay * DiurnalDemand.WaterMinimum * (timeMs - leak.StartMs) / MsPerDay;
        }

        return demand;
    }

    private void Pressure(CityDevice device, long timeMs, long step, Incident? incident, ref MetricWriter w)
    {
        var demand = DistrictDemand(device.District, timeMs) / DiurnalDemand.WaterPeak;
        var sigma = incident?.Kind == IncidentKind.NoisySensor ? 4 * device.NoiseSigma : device.NoiseSigma;
        var pressure = device.Scale - (device.Shape * Math.Pow(demand, HeadLossExponent)) + (sigma * Gauss(device, step, ChValue));
        switch (incident?.Kind)
        {
            case IncidentKind.LowPressure:
                // A pump or valve failure upstream: the far end sits near 0.115 MPa, under the 0.14 MPa service level.
                pressure = 0.115 + (device.NoiseSigma * Gauss(device, step, ChValue));
                break;
            case IncidentKind.SingleSpike when !incident.Fired:
                incident.Fired = true;
                pressure = 0.06;
                break;
            case IncidentKind.StuckAt:
                pressure = device.Scale - (0.5 * device.Shape);
                break;
        }

        w.Add(Metric.Pressure, Math.Round(pressure, 4));
    }

    private void Flow(CityDevice device, long timeMs, long step, double hours, ref MetricWriter w)
    {
        var flow = device.Inlet
            ? device.Scale * DistrictDemand(device.District, timeMs)
            : device.Scale * DiurnalDemand.Water(LocalHour(timeMs));
        flow = Math.Round(Math.Max(0, flow * (1 + (device.NoiseSigma * Gauss(device, step, ChValue)))), 2);
        device.Totaliser += flow * hours;
        w.Add(Metric.WaterFlow, flow);
        w.Add(Metric.WaterTotal, Math.Round(device.Totaliser, 1));
    }

    private void Reservoir(CityDevice device, long timeMs, long step, Incident? incident, ref MetricWriter w)
    {
        // Normal operation: 1.5 m below the flood limit, a slow weekly swing of 0.1 m.
        var normal = device.Scale - 1.5 + (0.1 * Math.Sin(2 * Math.PI * timeMs / (7 * MsPerDay)));
        var level = normal + (0.005 * Gauss(device, step, ChValue));
        if (incident?.Kind == IncidentKind.ReservoirFlood)
        {
            // Rise for 40 % of the window to 0.3 m above the warning level (flood limit + 1 m), hold, recede.
            var p = incident.Progress(timeMs);
            var f = p < 0.4 ? p / 0.4 : p < 0.6 ? 1 : (1 - p) / 0.4;
            level += (device.Scale + 1.3 - normal) * f;
        }

        w.Add(Metric.Level, Math.Round(level, 3));
        w.Add(Metric.BatteryVolts, Battery(device, timeMs, step));
    }

    private void Rain(CityDevice device, long timeMs, long step, double hours, Incident? incident, ref MetricWriter w)
    {
        // Three days in ten have a shower of 1-3 h at 1-3.6 mm/h: at most ~11 mm a day, far from 50 mm.
        var day = LocalDay(timeMs);
        var rate = 0.0;
        if (Noise.Uniform(Options.Seed, device.Index, day, ChDay) < 0.3)
        {
            var start = 24 * Noise.Uniform(Options.Seed, device.Index, day, ChDay + 1);
            var length = 1 + (2 * Noise.Uniform(Options.Seed, device.Index, day, ChDay + 2));
            var hour = LocalHour(timeMs);
            if (hour >= start && hour < start + length)
            {
                rate = 1 + (2.6 * Noise.Uniform(Options.Seed, device.Index, day, ChDay + 3));
            }
        }

        if (incident?.Kind == IncidentKind.HeavyRain)
        {
            // 90 mm over the incident's window, whatever its length.
            rate = 90 / ((incident.EndMs - incident.StartMs) / MsPerHour);
        }

        w.Add(Metric.Rain, Math.Round(rate * hours, 1));
        w.Add(Metric.BatteryVolts, Battery(device, timeMs, step));
    }
}
