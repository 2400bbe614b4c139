using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>Electrical fire monitoring detectors: residual current, circuit temperature and rate of rise, the maintenance trend.</summary>
public sealed partial class FireDetectors
{
    private const long MsPerDay = 86_400_000;

    // A rate of rise is judged only between readings 10 s to 15 min apart: closer ones carry the sensor's noise, farther
    // ones say nothing about a minute.
    private const long MinRateSpanMs = 10_000, MaxRateSpanMs = 15 * 60_000;

    private void ProcessElectrical(int n, DeviceInfo device, TelemetryFrame reading)
    {
        ref readonly var limits = ref _limits[n];
        var timeMs = reading.EventTimeMs;
        if (reading.TryGet(Metric.ResidualCurrentMa, out var residual) && double.IsFinite(residual))
        {
            var alarm = residual >= limits.ResidualSet;
            var steps = _residual.Step(n, residual >= limits.ResidualPre, residual < limits.ResidualClear,
                alarm ? AlertSeverity.High : AlertSeverity.Medium, residual, timeMs, limits.ElectricalTiming);
            if (steps != LatchSteps.None)
            {
                Publish(_residual, steps, n, device, residual, timeMs, (steps & LatchSteps.Cleared) != 0
                    ? $"Circuit {CircuitOf(device)}: residual current back to normal"
                    : _residual[n].Severity == AlertSeverity.High
                        ? string.Create(CultureInfo.InvariantCulture, $"Circuit {CircuitOf(device)}: residual current {residual:0} mA at or above the {limits.ResidualSet:0} mA set point (GB 14287.2)")
                        : string.Create(CultureInfo.InvariantCulture, $"Circuit {CircuitOf(device)}: residual current {residual:0} mA, pre-alarm at {limits.ResidualPre:0} mA of {limits.ResidualSet:0} mA"));
            }
        }

        if (reading.TryGet(Metric.Temperature, out var temperature) && double.IsFinite(temperature))
        {
            ProcessTemperature(n, device, temperature, timeMs);
        }
    }

    private void ProcessTemperature(int n, DeviceInfo device, double temperature, long timeMs)
    {
        ref var state = ref _state[n];
        ref readonly var limits = ref _limits[n];
        var rate = 0.0;
        var span = timeMs - state.LastTemperatureMs;
        if (state.HaveTemperature && span is >= MinRateSpanMs and <= MaxRateSpanMs)
        {
            rate = (temperature - state.LastTemperature) * 60_000 / span;
        }

        state.HaveTemperature = true;
        state.LastTemperature = temperature;
        state.LastTemperatureMs = timeMs;
        var abnormal = temperature >= limits.TempSet || rate >= limits.TempRate;
        var normal = temperature < limits.TempClear && rate < limits.TempRate;
        var steps = _temperature.Step(n, abnormal, normal, AlertSeverity.High, temperature, timeMs, limits.ElectricalTiming);
        if (steps != LatchSteps.None)
        {
            Publish(_temperature, steps, n, device, temperature, timeMs, (steps & LatchSteps.Cleared) != 0
                ? $"Circuit {CircuitOf(device)}: temperature back to normal"
                : temperature >= limits.TempSet
                    ? string.Create(CultureInfo.InvariantCulture, $"Circuit {CircuitOf(device)}: {temperature:0.#} C at or above the {limits.TempSet:0} C set point (GB 14287.3)")
                    : string.Create(CultureInfo.InvariantCulture, $"Circuit {CircuitOf(device)}: temperature rising {rate:0.#} C/min (limit {limits.TempRate:0.#} C/min)"));
        }

        SetConfirming(n, device, _temperature[n].IsActive, timeMs);
        TrackDailyPeak(n, device, temperature, timeMs);
    }

    /// <summary>
    /// Keeps the day's peak temperature; on the first reading of a new day, the finished day's peak joins the ring and
    /// the trend over the last <c>TrendDays</c> peaks (least-squares slope) is judged.
    /// </summary>
    private void TrackDailyPeak(int n, DeviceInfo device, double temperature, long timeMs)
    {
        ref var state = ref _state[n];
        var day = timeMs / MsPerDay;
        if (state.Day == 0 || day < state.Day)
        {
            state.Day = day;
            state.DayPeak = temperature;
            return;
        }

        if (day == state.Day)
        {
            state.DayPeak = Math.Max(state.DayPeak, temperature);
            return;
        }

        // A day without readings breaks the series: the fit needs consecutive days.
        if (day - state.Day > 1)
        {
            state.PeakCount = 0;
        }

        var ring = _peaks.AsSpan(n * ElectricalFireOptions.MaxTrendDays, ElectricalFireOptions.MaxTrendDays);
        ring[state.PeakHead] = state.DayPeak;
        state.PeakHead = (state.PeakHead + 1) % ring.Length;
        state.PeakCount = Math.Min(state.PeakCount + 1, ring.Length);
        state.Day = day;
        state.DayPeak = temperature;
        JudgeTrend(n, device, ring, timeMs);
    }

    private void JudgeTrend(int n, DeviceInfo device, ReadOnlySpan<double> ring, long timeMs)
    {
        ref readonly var state = ref _state[n];
        ref readonly var limits = ref _limits[n];
        var days = limits.TrendDays;
        if (state.PeakCount < days)
        {
            return;
        }

        // Least squares over x = 0..days-1 (oldest first).
        double sumX = 0, sumY = 0, sumXy = 0, sumXx = 0, first = 0, last = 0;
        for (var i = 0; i < days; i++)
        {
            var y = ring[(state.PeakHead - days + i + ring.Length) % ring.Length];
            first = i == 0 ? y : first;
            last = y;
            sumX += i;
            sumY += y;
            sumXy += i * y;
            sumXx += i * i;
        }

        var slope = ((days * sumXy) - (sumX * sumY)) / ((days * sumXx) - (sumX * sumX));
        var rising = slope >= limits.TrendRise && last - first >= limits.TrendMinRise;
        var steps = _maintenance.Step(n, rising, slope < limits.TrendRise / 2, AlertSeverity.Low, last, timeMs, default);
        if (steps != LatchSteps.None)
        {
            Publish(_maintenance, steps, n, device, last, timeMs, (steps & LatchSteps.Cleared) != 0
                ? $"Circuit {CircuitOf(device)}: daily peak temperature no longer rising"
                : string.Create(CultureInfo.InvariantCulture,
                    $"Circuit {CircuitOf(device)}: daily peak temperature up {slope:0.#} C/day over {days} days ({first:0.#} -> {last:0.#} C): inspect terminals and load"));
        }
    }

    private static string CircuitOf(DeviceInfo device) =>
        device.Parameters.TryGet("circuit", out var circuit) ? $"{device.Id} ({circuit})" : device.Id;
}
