using Sensing.Core.Telemetry;
using Sensing.Simulators.Incidents;

namespace Sensing.Simulators.City;

/// <summary>EV chargers: daily sessions with OCPP 1.6 statuses and a constant-current / constant-voltage power curve.</summary>
public sealed partial class CityModel
{
    private const long PreparingMs = 2 * 60_000;
    private const long FinishingMs = 3 * 60_000;

    private void Charger(CityDevice device, long timeMs, long step, double hours, Incident? incident, ref MetricWriter w)
    {
        var (status, power) = Session(device, timeMs);
        var error = ChargerError.NoError;
        var voltage = 230 + (2 * Gauss(device, step, ChValue));
        var current = power * 1000 / (voltage * device.Shape);
        var temperature = 22 + (20 * power / device.Scale) + Gauss(device, step, ChTemp);
        switch (incident?.Kind)
        {
            case IncidentKind.ChargerGroundFault:
                (status, power, error) = (ChargerStatus.Faulted, 0, ChargerError.GroundFailure);
                break;
            case IncidentKind.ChargerOverCurrent:
                // The fault is reported with the current that tripped it: 40 % above the rated current.
                (status, power, error) = (ChargerStatus.Faulted, 0, ChargerError.OverCurrentFailure);
                current = 1.4 * device.Scale * 1000 / (230 * device.Shape);
                break;
            case IncidentKind.ChargerHighTemperature:
                (status, power, error, temperature) = (ChargerStatus.Faulted, 0, ChargerError.HighTemperature, 85);
                break;
            case IncidentKind.ChargerStuckFaulted:
                (status, power, error) = (ChargerStatus.Faulted, 0, ChargerError.InternalError);
                break;
        }

        if (power == 0 && incident?.Kind != IncidentKind.ChargerOverCurrent)
        {
            current = 0;
        }

        device.Totaliser += power * hours;
        w.Add(Metric.ConnectorStatus, (double)status);
        w.Add(Metric.ChargerErrorCode, (double)error);
        w.Add(Metric.PowerKw, Math.Round(power, 2));
        w.Add(Metric.EnergyKwh, Math.Round(device.Totaliser, 2));
        w.Add(Metric.Voltage, Math.Round(voltage, 1));
        w.Add(Metric.Current, Math.Round(current, 1));
        w.Add(Metric.Temperature, Math.Round(temperature, 1));
    }

    /// <summary>Status and power of a charger at a time, from the sessions of that day and the day before.</summary>
    private (ChargerStatus Status, double PowerKw) Session(CityDevice device, long timeMs)
    {
        var day = LocalDay(timeMs);
        var offset = (long)Options.UtcOffset.TotalMilliseconds;
        for (var d = day; d >= day - 1; d--)
        {
            for (var s = 0; s < 2; s++)
            {
                var channel = 100 + (10 * s);
                if (s == 1 && Noise.Uniform(Options.Seed, device.Index, d, channel) < 0.5)
                {
                    continue;
                }

                // First session mid-morning (public charging), second in the evening (home charging), 1-4 h long.
                var startHour = s == 0 ? 8 + (3 * Noise.Uniform(Options.Seed, device.Index, d, channel + 1)) : 17 + (4 * Noise.Uniform(Options.Seed, device.Index, d, channel + 1));
                var start = (long)((d * MsPerDay) + (startHour * MsPerHour)) - offset;
                var length = (long)((1 + (3 * Noise.Uniform(Options.Seed, device.Index, d, channel + 2))) * MsPerHour);
                var t = timeMs - start;
                if (t < 0 || t >= length + FinishingMs)
                {
                    continue;
                }

                if (t < PreparingMs)
                {
                    return (ChargerStatus.Preparing, 0);
                }

                if (t >= length)
                {
                    return (ChargerStatus.Finishing, 0);
                }

                // Constant current to 70 % of the session, then the battery tapers the power to 10 %; full for the last 10 %.
                var p = (double)t / length;
                if (p >= 0.9)
                {
                    return (ChargerStatus.SuspendedEV, 0);
                }

                var ramp = Math.Min(1, (t - PreparingMs) / 180_000.0);
                var taper = p < 0.7 ? 1 : 1 - (0.9 * (p - 0.7) / 0.2);
                return (ChargerStatus.Charging, device.Scale * ramp * taper);
            }
        }

        return (ChargerStatus.Available, 0);
    }
}
