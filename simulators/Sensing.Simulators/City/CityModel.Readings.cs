using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>How readings derive from time, the device's constants and the incidents in force.</summary>
public sealed partial class CityModel
{
    /// <summary>Most metrics one simulated reading carries.</summary>
    public const int MaxMetrics = 8;

    private const double MsPerHour = 3_600_000;
    private const long RuptureValveCloseMs = 6 * 60_000;
    private const double MsPerDay = 86_400_000;

    // Noise channels: each quantity draws from its own stream so adding one never shifts another.
    private const int ChUse = 10, ChFlow = 11, ChValue = 12, ChBattery = 13, ChSignal = 14, ChTemp = 15, ChDay = 16;

    /// <summary>
    /// Produces <paramref name="device"/>'s reading measured at simulation time <paramref name="timeMs"/> into
    /// <paramref name="metrics"/> (at least <see cref="MaxMetrics"/> long) and returns the metric count, or 0 when an
    /// incident keeps the device silent. <paramref name="eventTimeMs"/> is the time the device stamps on the
    /// reading (its own clock, which a clock-skew incident moves). Call in time order per device: totalisers and the
    /// sequence number advance.
    /// </summary>
    public int Measure(CityDevice device, long timeMs, Span<MetricValue> metrics, out long eventTimeMs)
    {
        eventTimeMs = timeMs;
        var incident = ActiveOn(device.Index, timeMs);
        if (incident?.Kind == IncidentKind.DeviceSilent)
        {
            return 0;
        }

        if (incident?.Kind == IncidentKind.ClockSkew)
        {
            eventTimeMs = timeMs + (2 * (long)MsPerHour);
        }

        device.Sequence++;
        var hours = device.LastReadingMs == 0 ? device.IntervalMs / MsPerHour : (timeMs - device.LastReadingMs) / MsPerHour;
        device.LastReadingMs = timeMs;
        var step = (long)device.Sequence;
        var w = new MetricWriter(metrics);
        switch (device.Info.Kind)
        {
            case DeviceKind.GasMeter:
                GasMeter(device, timeMs, step, hours, incident, ref w);
                break;
            case DeviceKind.MethaneDetector:
                MethaneDetector(device, timeMs, step, incident, ref w);
                break;
            case DeviceKind.EvCharger:
                Charger(device, timeMs, step, hours, incident, ref w);
                break;
            case DeviceKind.WaterPressure:
                Pressure(device, timeMs, step, incident, ref w);
                break;
            case DeviceKind.WaterFlow:
                Flow(device, timeMs, step, hours, ref w);
                break;
            case DeviceKind.ReservoirLevel:
                Reservoir(device, timeMs, step, incident, ref w);
                break;
            case DeviceKind.RainGauge:
                Rain(device, timeMs, step, hours, incident, ref w);
                break;
            case DeviceKind.SmokeAlarm:
                SmokeAlarm(device, timeMs, step, incident, ref w);
                break;
            case DeviceKind.ElectricalFireDetector:
                ElectricalFire(device, timeMs, step, incident, ref w);
                break;
            case DeviceKind.FireWaterPressure:
                FireWaterPressure(device, timeMs, step, ref w);
                break;
        }

        return w.Count;
    }

    // Batteries read BatteryStart on 2026-01-01 and lose 0.2 mV a day after it (about 70 mV a year, a lithium primary
    // cell's slow self-discharge), capped at one year; each reading varies by a few mV.
    private static readonly long BatteryEpochMs = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private double Battery(CityDevice device, long timeMs, long step) =>
        Math.Round(device.BatteryStart - (0.0002 * Math.Clamp((timeMs - BatteryEpochMs) / MsPerDay, 0, 365))
            + (0.005 * Noise.Gaussian(Options.Seed, device.Index, step, ChBattery)), 3);

    /// <summary>Hour of the local day, [0, 24).</summary>
    private double LocalHour(long timeMs) => DiurnalDemand.HourOfDay(timeMs + (long)Options.UtcOffset.TotalMilliseconds);

    /// <summary>Local day number since 1970-01-01.</summary>
    private long LocalDay(long timeMs) => (long)Math.Floor((timeMs + Options.UtcOffset.TotalMilliseconds) / MsPerDay);

    private double Gauss(CityDevice device, long step, int channel) => Noise.Gaussian(Options.Seed, device.Index, step, channel);

    private double Uniform(CityDevice device, long step, int channel) => Noise.Uniform(Options.Seed, device.Index, step, channel);

    private void GasMeter(CityDevice device, long timeMs, long step, double hours, Incident? incident, ref MetricWriter w)
    {
        var hour = LocalHour(timeMs);
        var flow = Uniform(device, step, ChUse) < DiurnalDemand.GasUse(hour) ? device.Shape * (0.5 + Uniform(device, step, ChFlow)) : 0;
        var battery = Battery(device, timeMs, step);
        switch (incident?.Kind)
        {
            case IncidentKind.MeterMicroLeak:
                flow += 0.04;
                break;
            case IncidentKind.MeterRupture when RuptureFlows(device, incident, timeMs):
                incident.FirstSeenMs = incident.FirstSeenMs == 0 ? timeMs : incident.FirstSeenMs;
                flow = 0.95 * device.Scale;
                break;
            case IncidentKind.BigConsumer:
                // A restaurant: 10:30-14:00 and 17:00-21:30 at 35-45 % of Qmax, closed otherwise.
                flow = hour is (>= 10.5 and < 14) or (>= 17 and < 21.5) ? device.Scale * (0.35 + (0.1 * Uniform(device, step, ChFlow))) : 0;
                break;
            case IncidentKind.BatteryDip when !incident.Fired:
                incident.Fired = true;
                battery = 3.05;
                break;
        }

        var valveOpen = !ValveClosed(device, timeMs);
        flow = valveOpen ? Math.Round(flow, 3) : 0;
        device.Totaliser += flow * hours;
        w.Add(Metric.GasFlow, flow);
        w.Add(Metric.GasVolume, Math.Round(device.Totaliser, 3));
        w.Add(Metric.ValveOpen, valveOpen ? 1 : 0);
        w.Add(Metric.BatteryVolts, battery);
        w.Add(Metric.SignalRsrp, Math.Round(-95 + (6 * Gauss(device, step, ChSignal))));
        w.Add(Metric.Temperature, Math.Round(15 + (4 * Math.Sin(2 * Math.PI * hour / 24)) + Gauss(device, step, ChTemp), 1));
    }

    private void MethaneDetector(CityDevice device, long timeMs, long step, Incident? incident, ref MetricWriter w)
    {
        // Clean air: the sensor's zero drifts 0-2 %LEL.
        var lel = Math.Max(0, 0.8 + (device.NoiseSigma * Gauss(device, step, ChValue)));
        if (incident?.Kind is IncidentKind.MethaneLevel1 or IncidentKind.MethaneLevel2)
        {
            // Rise over the first quarter, hold half the time, fall over the last quarter.
            var peak = incident.Kind == IncidentKind.MethaneLevel1 ? 32.0 : 60.0;
            var p = incident.Progress(timeMs);
            lel += peak * (p < 0.25 ? p / 0.25 : p < 0.75 ? 1 : (1 - p) / 0.25);
        }

        w.Add(Metric.MethaneLel, Math.Round(lel, 2));
        w.Add(Metric.Fault, 0);
        w.Add(Metric.BatteryVolts, Battery(device, timeMs, step));
    }

    /// <summary>
    /// The interval to a device's next report: a gas meter whose flow alarm is on (a rupture before its valve closes)
    /// reports every minute, as NB-IoT meters report on alarm; otherwise the nominal interval.
    /// </summary>
    public long NextIntervalMs(CityDevice device, long timeMs) =>
        ActiveOn(device.Index, timeMs) is { Kind: IncidentKind.MeterRupture, FirstSeenMs: > 0 } rupture
            && RuptureFlows(device, rupture, timeMs) && !ValveClosed(device, timeMs)
            ? Math.Min(device.IntervalMs, 60_000)
            : FireIntervalMs(device, timeMs);

    // Gas escapes through a rupture until the valve closes: on the command, for a meter that takes commands; otherwise
    // 6 minutes after the meter's first reading of the rupture (see ValveClosedByRupture).
    private static bool RuptureFlows(CityDevice device, Incident rupture, long timeMs) =>
        device.ValveByCommand || rupture.FirstSeenMs == 0 || timeMs < rupture.FirstSeenMs + RuptureValveCloseMs;

    private bool ValveClosed(CityDevice device, long timeMs) =>
        device.ValveByCommand ? device.ValveClosedAtMs != 0 : ValveClosedByRupture(device.Index, timeMs);

    // A ruptured meter without a downlink has its valve closed 6 minutes after its first reading of the rupture, and
    // it stays closed: the valve-close command the rupture alert sends, acted on as if it had arrived.
    private bool ValveClosedByRupture(int device, long timeMs)
    {
        if (_incidentsByDevice[device] is { } list)
        {
            foreach (var incident in list)
            {
                if (incident.Kind == IncidentKind.MeterRupture && incident.FirstSeenMs > 0 && timeMs >= incident.FirstSeenMs + RuptureValveCloseMs)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private Incident? ActiveOn(int device, long timeMs)
    {
        if (_incidentsByDevice[device] is { } list)
        {
            foreach (var incident in list)
            {
                if (incident.IsActive(timeMs))
                {
                    return incident;
                }
            }
        }

        return null;
    }

    private Incident? ActiveInDistrict(int district, long timeMs, IncidentKind kind)
    {
        if (_incidentsByDistrict[district] is { } list)
        {
            foreach (var incident in list)
            {
                if (incident.Kind == kind && incident.IsActive(timeMs))
                {
                    return incident;
                }
            }
        }

        return null;
    }

    /// <summary>Appends metrics to a caller's span.</summary>
    private ref struct MetricWriter(Span<MetricValue> metrics)
    {
        private readonly Span<MetricValue> _metrics = metrics;

        public int Count { get; private set; }

        public void Add(Metric metric, double value) => _metrics[Count++] = new MetricValue(metric, value);
    }
}
