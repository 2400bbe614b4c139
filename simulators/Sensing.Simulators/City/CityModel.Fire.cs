using System.Globalization;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>
/// Fire-safety devices: smoke alarms that report on every change and at a heartbeat, electrical fire detectors on one
/// circuit of a building's distribution board, fire hydrant and sprinkler main pressure sensors; each in a building of
/// its district (registry parameter <c>building</c>).
/// </summary>
public sealed partial class CityModel
{
    /// <summary>How long a burnt-toast alarm sounds before the smoke clears, ms (inside the 60 s verification window).</summary>
    public const long BurntToastAlarmMs = 40_000;

    /// <summary>How long a test-button press holds the alarm, ms.</summary>
    public const long TestButtonMs = 8_000;

    /// <summary>How long a fire pump starting dips the main, ms (shorter than the 5 min on-delay).</summary>
    public const long PumpStartDipMs = 90_000;

    /// <summary>Delay of the second smoke alarm of a kitchen fire after the first, ms (smoke reaching the next room).</summary>
    public const long KitchenFireSpreadMs = 45_000;

    // Devices of one kind per building: four smoke alarms (flats on a floor), two circuits, two pressure sensors
    // (the hydrant main and the sprinkler main).
    private static int PerBuilding(DeviceKind kind) => kind == DeviceKind.SmokeAlarm ? 4 : 2;

    /// <summary>The building name of the k-th device of a fire kind in district <paramref name="districtName"/>.</summary>
    private static string BuildingOf(DeviceKind kind, int k, int districts, string districtName) =>
        districtName + "-b" + ((k / districts / PerBuilding(kind)) + 1).ToString("D3", CultureInfo.InvariantCulture);

    private static (double Scale, double Shape, double Sigma) FireConstants(
        DeviceKind kind, int k, int districts, double uniform, string districtName, List<KeyValuePair<string, string>> parameters)
    {
        parameters.Add(new("building", BuildingOf(kind, k, districts, districtName)));
        switch (kind)
        {
            case DeviceKind.ElectricalFireDetector:
                // Cable temperature at no load 26-32 C, +8 C at the evening peak; natural leakage 40-120 mA.
                parameters.Add(new("circuit", "L" + ((k % 3) + 1).ToString(CultureInfo.InvariantCulture)));
                return (26 + (6 * uniform), 40 + (80 * uniform), 0.3);
            case DeviceKind.FireWaterPressure:
                // Static pressure from the roof tank or the pressure-holding pump: 0.25-0.45 MPa.
                return (0.25 + (0.2 * uniform), 0, 0.003);
            default:
                return (0, 0, 0);
        }
    }

    private void SmokeAlarm(CityDevice device, long timeMs, long step, Incident? incident, ref MetricWriter w)
    {
        var bits = incident?.Kind switch
        {
            IncidentKind.KitchenFire => SmokeAlarmBits.Alarm,
            IncidentKind.SmokeAlarmRemoved => SmokeAlarmBits.Removed,
            IncidentKind.BurntToast when timeMs < incident.StartMs + BurntToastAlarmMs => SmokeAlarmBits.Alarm,
            IncidentKind.TestButton when timeMs < incident.StartMs + TestButtonMs => SmokeAlarmBits.Alarm | SmokeAlarmBits.Test,
            _ => 0u,
        };
        w.Add(Metric.AlarmBits, bits);
        w.Add(Metric.BatteryVolts, Battery(device, timeMs, step));
    }

    private void ElectricalFire(CityDevice device, long timeMs, long step, Incident? incident, ref MetricWriter w)
    {
        // Load follows the household evening peak: the cable warms with it.
        var load = (DiurnalDemand.Water(LocalHour(timeMs)) - DiurnalDemand.WaterMinimum) / (DiurnalDemand.WaterPeak - DiurnalDemand.WaterMinimum);
        var temperature = device.Scale + (8 * (load - 0.5)) + (device.NoiseSigma * Gauss(device, step, ChTemp));
        var residual = device.Shape * (0.8 + (0.4 * load)) + (3 * Gauss(device, step, ChValue));
        switch (incident?.Kind)
        {
            case IncidentKind.LooseTerminal:
                // A loose terminal's contact resistance grows: 2.5 C more every day at the same load.
                temperature += 2.5 * (timeMs - incident.StartMs) / MsPerDay;
                break;
            case IncidentKind.InsulationFault:
                // Insulation breaking down: leakage climbs to 380 mA over the first hour.
                residual += 380 * Math.Min(1, (timeMs - incident.StartMs) / MsPerHour);
                break;
        }

        w.Add(Metric.ResidualCurrentMa, Math.Round(Math.Max(0, residual), 1));
        w.Add(Metric.Temperature, Math.Round(temperature, 1));
    }

    private void FireWaterPressure(CityDevice device, long timeMs, long step, ref MetricWriter w)
    {
        var pressure = device.Scale + (device.NoiseSigma * Gauss(device, step, ChValue));
        if (BuildingIncident(device, timeMs) is { } incident)
        {
            pressure = incident.Kind == IncidentKind.HydrantValveClosed ? 0.02 + (0.005 * Uniform(device, step, ChFlow))
                : timeMs < incident.StartMs + PumpStartDipMs ? 0.05 : pressure;
        }

        w.Add(Metric.Pressure, Math.Round(pressure, 4));
    }

    private Incident? BuildingIncident(CityDevice device, long timeMs)
    {
        if (_incidentsByDistrict[device.District] is { } list && device.Info.Parameters.TryGet("building", out var building))
        {
            foreach (var incident in list)
            {
                if (incident.Kind is IncidentKind.HydrantValveClosed or IncidentKind.PumpStartDip && incident.Source == building && incident.IsActive(timeMs))
                {
                    return incident;
                }
            }
        }

        return null;
    }

    /// <summary>A fire-water pressure sensor reports every 30 s while its building's main is disturbed.</summary>
    private long FireIntervalMs(CityDevice device, long timeMs) =>
        device.Info.Kind == DeviceKind.FireWaterPressure && BuildingIncident(device, timeMs) is not null ? Math.Min(device.IntervalMs, 30_000) : device.IntervalMs;

    /// <summary>
    /// Fire devices report at once on a change of state: the time of <paramref name="device"/>'s next incident start or
    /// change after <paramref name="timeMs"/> (a smoke alarm's own incidents, a pressure sensor's building's), or 0 for
    /// none. The simulation schedules a report then if it comes before the next periodic one.
    /// </summary>
    public long NextEventMs(CityDevice device, long timeMs)
    {
        var kind = device.Info.Kind;
        var list = kind switch
        {
            DeviceKind.SmokeAlarm => _incidentsByDevice[device.Index],
            DeviceKind.FireWaterPressure => _incidentsByDistrict[device.District],
            _ => null,
        };
        if (list is null)
        {
            return 0;
        }

        device.Info.Parameters.TryGet("building", out var building);
        var next = long.MaxValue;
        foreach (var incident in list)
        {
            if (kind == DeviceKind.FireWaterPressure && incident.Source != building)
            {
                continue;
            }

            var change = incident.Kind switch
            {
                IncidentKind.BurntToast => incident.StartMs + BurntToastAlarmMs,
                IncidentKind.TestButton => incident.StartMs + TestButtonMs,
                IncidentKind.PumpStartDip => incident.StartMs + PumpStartDipMs,
                _ => incident.EndMs,
            };
            foreach (var at in (ReadOnlySpan<long>)[incident.StartMs, change, incident.EndMs])
            {
                if (at > timeMs && at < next)
                {
                    next = at;
                }
            }
        }

        return next == long.MaxValue ? 0 : next;
    }
}
