using Sensing.Core.Alerts;

namespace Sensing.Simulators.Fleet;

/// <summary>
/// A gas leak near a methane detector: concentration ramps from clean air to a peak and back. A peak of
/// 30 %LEL crosses the first alarm level (25 %LEL), 55 %LEL the second (50 %LEL) (GB/T 50493-2019).
/// </summary>
public sealed class MethaneLeak(string deviceId, long startMs, TimeSpan rise, TimeSpan hold, TimeSpan fall, double peakLel) : IIncident
{
    private readonly long _riseMs = (long)rise.TotalMilliseconds;
    private readonly long _holdMs = (long)hold.TotalMilliseconds;
    private readonly long _fallMs = (long)fall.TotalMilliseconds;

    /// <inheritdoc />
    public GroundTruthEntry Truth => new(
        "methane-leak", deviceId, startMs, startMs + _riseMs + _holdMs + _fallMs, AlertCondition.MethaneHigh.Name(),
        (peakLel >= 50 ? AlertSeverity.Critical : peakLel >= 25 ? AlertSeverity.High : AlertSeverity.Low).ToString());

    /// <summary>Concentration at <paramref name="nowMs"/>, %LEL; NaN outside the incident.</summary>
    public double LelAt(long nowMs)
    {
        var t = nowMs - startMs;
        if (t < 0 || t > _riseMs + _holdMs + _fallMs)
        {
            return double.NaN;
        }

        if (t < _riseMs)
        {
            return peakLel * t / Math.Max(1, _riseMs);
        }

        t -= _riseMs;
        return t < _holdMs ? peakLel : peakLel * (1 - ((double)(t - _holdMs) / Math.Max(1, _fallMs)));
    }

    /// <inheritdoc />
    public bool TryWrite(ref SimulatedDevice.JsonLine json, SimulatedDevice device, long nowMs)
    {
        var lel = LelAt(nowMs);
        if (double.IsNaN(lel))
        {
            return false;
        }

        json.Number("lel"u8, Math.Round(lel, 2));
        json.Number("battery"u8, 3.6);
        return true;
    }
}
