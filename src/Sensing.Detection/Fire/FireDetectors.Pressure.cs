using System.Globalization;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection.Internal;

namespace Sensing.Detection.Fire;

/// <summary>Fire hydrant and sprinkler main pressure: sensors low past the on-delay make one alert per building.</summary>
public sealed partial class FireDetectors
{
    private void ProcessPressure(int n, DeviceInfo device, TelemetryFrame reading)
    {
        if (!reading.TryGet(Metric.Pressure, out var pressure) || !double.IsFinite(pressure))
        {
            return;
        }

        ref var state = ref _state[n];
        ref readonly var limits = ref _limits[n];
        var timeMs = reading.EventTimeMs;

        // The sensor's own latch gives the on-delay and off-delay; it publishes nothing, its building does.
        ref var latch = ref _pressureLatches[n];
        latch.Step(pressure < limits.PressureLow, pressure >= limits.PressureClear, AlertSeverity.High, -pressure, timeMs, limits.PressureTiming, NoChatter);
        var low = latch.Phase == LatchPhase.Active;
        if (low == state.CountedLow)
        {
            return;
        }

        state.CountedLow = low;
        var building = limits.Building;
        _lowPressureSensors[building] += low ? 1 : -1;
        var count = _lowPressureSensors[building];
        LatchSteps steps;
        if (low && count == 1)
        {
            steps = _pressure.ForceRaise(building, AlertSeverity.High, pressure, latch.RaisedAtMs);
        }
        else if (!low && count == 0)
        {
            steps = _pressure.ForceClear(building, timeMs);
        }
        else
        {
            return;
        }

        var name = _buildingNames[building];
        _pressure.Publish(_sink, steps, building, name, _buildingDistricts[building], device.Kind.Name(), pressure, timeMs, low
            ? string.Create(CultureInfo.InvariantCulture,
                $"Fire water main in {name}: {device.Id} at {pressure:0.###} MPa, below the {limits.PressureLow:0.###} MPa minimum (GB 50974) for {limits.PressureTiming.OnDelayMs / 60_000.0:0.#} min: check valves and pumps")
            : $"Fire water main in {name}: pressure restored");
    }
}
