using Sensing.Core.Devices;
using Sensing.Simulators.City;

namespace Sensing.Simulators.Incidents;

/// <summary>
/// Places every incident kind and trap into a city over a run, each on its own device or district. A run of
/// fourteen days or more gets the full plan (micro-leaks need 24 h, the night-flow rule ten nights of baseline, a
/// burst detector a learned weekly baseline), with times of day meant for a run starting at local midnight; a shorter run gets the kinds whose window fits, scaled to the run, and
/// <see cref="Skipped"/> says which were left out and why.
/// </summary>
public sealed class IncidentPlan
{
    private const long Minute = 60_000, Hour = 60 * Minute, Day = 24 * Hour;

    /// <summary>Run length from which the full plan applies.</summary>
    public static readonly TimeSpan FullPlanDuration = TimeSpan.FromDays(14);

    private readonly List<string> _skipped = [];

    private IncidentPlan()
    {
    }

    /// <summary>Kinds not injected, with the reason.</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    /// <summary>Injects the plan into <paramref name="city"/> for a run from <paramref name="startMs"/> lasting <paramref name="duration"/>.</summary>
    public static IncidentPlan Apply(CityModel city, long startMs, TimeSpan duration, IReadOnlySet<IncidentKind>? only = null)
    {
        ArgumentNullException.ThrowIfNull(city);
        var plan = new IncidentPlan();
        var length = (long)duration.TotalMilliseconds;
        var full = duration >= FullPlanDuration;
        var picker = new Picker(city);
        foreach (var kind in IncidentKinds.All)
        {
            if (only is not null && !only.Contains(kind))
            {
                continue;
            }

            var window = full ? FullWindow(kind, startMs, length) : ShortWindow(kind, city.Options.IntervalSeconds(KindFor(kind)) * 1000L, startMs, length);
            if (window is not { } w)
            {
                plan._skipped.Add(full || !NeedsFullPlan(kind)
                    ? $"{kind.Name()}: its window does not fit a run of {duration}"
                    : $"{kind.Name()}: needs a run of {FullPlanDuration.TotalDays:0} days");
                continue;
            }

            var incident = picker.Place(kind, w.Start, w.End);
            if (incident is null)
            {
                plan._skipped.Add($"{kind.Name()}: the city has no free device of the kind it needs");
                continue;
            }

            city.Add(incident);
            if (kind == IncidentKind.KitchenFire)
            {
                // The smoke reaches a second room: another smoke alarm of the building goes off 45 s later.
                if (picker.Companion(incident, w.Start + CityModel.KitchenFireSpreadMs, w.End) is { } second)
                {
                    city.Add(second);
                }
                else
                {
                    plan._skipped.Add($"{kind.Name()}: its building has no second smoke alarm (one alarm only)");
                }
            }
        }

        return plan;
    }

    // Offsets from the start of a run of at least fourteen days; bursts and growing leaks come after days of history.
    private static (long Start, long End)? FullWindow(IncidentKind kind, long s, long length) => kind switch
    {
        IncidentKind.MethaneLevel1 => (s + (4 * Day) + (9 * Hour), s + (4 * Day) + (9 * Hour) + (20 * Minute)),
        IncidentKind.MethaneLevel2 => (s + (6 * Day) + (15 * Hour), s + (6 * Day) + (15 * Hour) + (20 * Minute)),
        IncidentKind.MeterMicroLeak => (s + (2 * Day) + (6 * Hour), s + (3 * Day) + (18 * Hour)),
        IncidentKind.MeterRupture => (s + (5 * Day) + (14 * Hour), s + (5 * Day) + (16 * Hour)),
        IncidentKind.PipeBurst => (s + (8 * Day) + (10 * Hour), s + (8 * Day) + (16 * Hour)),
        IncidentKind.IncipientLeak => (s + (3 * Day), s + length),
        IncidentKind.LowPressure => (s + (7 * Day) + (18 * Hour), s + (7 * Day) + (21 * Hour)),
        IncidentKind.ReservoirFlood => (s + (5 * Day), s + (6 * Day) + (6 * Hour)),
        IncidentKind.HeavyRain => (s + (6 * Day) + (2 * Hour), s + (6 * Day) + (8 * Hour)),
        IncidentKind.ChargerGroundFault => (s + Day + (10 * Hour), s + Day + (10 * Hour) + (5 * Minute)),
        IncidentKind.ChargerOverCurrent => (s + (3 * Day) + (16 * Hour), s + (3 * Day) + (16 * Hour) + (5 * Minute)),
        IncidentKind.ChargerHighTemperature => (s + (5 * Day) + (19 * Hour), s + (5 * Day) + (19 * Hour) + (5 * Minute)),
        IncidentKind.ChargerStuckFaulted => (s + (7 * Day) + (8 * Hour), s + (7 * Day) + (11 * Hour)),
        IncidentKind.DeviceSilent => (s + (4 * Day) + (2 * Hour), s + (4 * Day) + (4 * Hour)),
        IncidentKind.ClockSkew => (s + (6 * Day) + (3 * Hour), s + (6 * Day) + (6 * Hour)),
        IncidentKind.NoisySensor => (s + (2 * Day), s + (4 * Day)),
        IncidentKind.SingleSpike => (s + (5 * Day) + (11 * Hour), s + (5 * Day) + (11 * Hour) + (10 * Minute)),
        IncidentKind.StuckAt => (s + (6 * Day), s + (6 * Day) + (12 * Hour)),
        IncidentKind.BigConsumer => (s, s + length),
        IncidentKind.BatteryDip => (s + (3 * Day) + (4 * Hour), s + (3 * Day) + (5 * Hour)),
        IncidentKind.KitchenFire => (s + (9 * Day) + (18 * Hour) + (40 * Minute), s + (9 * Day) + (19 * Hour) + (10 * Minute)),
        IncidentKind.SmokeAlarmRemoved => (s + (4 * Day) + (13 * Hour), s + (4 * Day) + (15 * Hour)),
        IncidentKind.InsulationFault => (s + (6 * Day) + (20 * Hour), s + (6 * Day) + (23 * Hour)),
        IncidentKind.LooseTerminal => (s + (3 * Day), s + length),
        IncidentKind.HydrantValveClosed => (s + (10 * Day) + (9 * Hour), s + (10 * Day) + (15 * Hour)),
        IncidentKind.BurntToast => (s + (2 * Day) + (7 * Hour) + (20 * Minute), s + (2 * Day) + (7 * Hour) + (30 * Minute)),
        IncidentKind.TestButton => (s + (5 * Day) + (10 * Hour), s + (5 * Day) + (10 * Hour) + (10 * Minute)),
        IncidentKind.PumpStartDip => (s + (8 * Day) + (3 * Hour), s + (8 * Day) + (3 * Hour) + (10 * Minute)),
        _ => null,
    };

    /// <summary>
    /// True when a run of <paramref name="duration"/> shorter than <see cref="FullPlanDuration"/>, with its devices
    /// reporting every <paramref name="intervalSeconds"/>, has room for <paramref name="kind"/>.
    /// </summary>
    public static bool FitsShortRun(IncidentKind kind, int intervalSeconds, TimeSpan duration) =>
        ShortWindow(kind, intervalSeconds * 1000L, 0, (long)duration.TotalMilliseconds) is not null;

    // A short run: windows as fractions of the run, each at least a few reports of the device long.
    private static (long Start, long End)? ShortWindow(IncidentKind kind, long interval, long s, long length)
    {
        (long, long)? At(double from, double span, long minimum) =>
            from * length + Math.Max(span * length, minimum) <= length ? (s + (long)(from * length), s + (long)(from * length) + Math.Max((long)(span * length), minimum)) : null;
        return kind switch
        {
            IncidentKind.MethaneLevel1 => At(0.15, 0.15, 4 * interval),
            IncidentKind.MethaneLevel2 => At(0.35, 0.2, 4 * interval),
            // The detector needs RuptureDuration (5 min) of flow near Qmax: that, and a few reports for the alert's command.
            IncidentKind.MeterRupture => At(0.05, 0.85, (6 * Minute) + (2 * interval)),
            IncidentKind.LowPressure when length >= 2 * Hour => At(0.5, 0.3, 6 * interval),
            IncidentKind.ReservoirFlood => At(0.2, 0.6, 8 * interval),
            IncidentKind.HeavyRain => At(0.2, 0.5, 6 * interval),
            IncidentKind.ChargerGroundFault => At(0.2, 0.1, 2 * interval),
            IncidentKind.ChargerOverCurrent => At(0.4, 0.1, 2 * interval),
            IncidentKind.ChargerHighTemperature => At(0.6, 0.1, 2 * interval),
            IncidentKind.ChargerStuckFaulted when length >= 2 * Hour => At(0.3, 0.5, 10 * interval),
            IncidentKind.DeviceSilent => At(0.3, 0.4, 10 * interval),
            // The clock-skew rule waits 10 minutes of ingest time before raising (DeviceHealthOptions.ClockSkewOnDelay).
            IncidentKind.ClockSkew => At(0.5, 0.3, Math.Max(4 * interval, 12 * Minute)),
            IncidentKind.NoisySensor => At(0.1, 0.8, 10 * interval),
            IncidentKind.SingleSpike => At(0.5, 0.1, 2 * interval),
            IncidentKind.StuckAt => At(0.2, 0.6, 10 * interval),
            IncidentKind.BigConsumer => (s, s + length),
            IncidentKind.BatteryDip => At(0.4, 0.1, 2 * interval),
            _ => null,
        };
    }

    // Kinds a short run never holds: they need a day or more of history or of incident.
    private static bool NeedsFullPlan(IncidentKind kind) =>
        kind is IncidentKind.MeterMicroLeak or IncidentKind.PipeBurst or IncidentKind.IncipientLeak;

    private static DeviceKind KindFor(IncidentKind kind) => kind switch
    {
        IncidentKind.MethaneLevel1 or IncidentKind.MethaneLevel2 or IncidentKind.DeviceSilent or IncidentKind.ClockSkew => DeviceKind.MethaneDetector,
        IncidentKind.MeterMicroLeak or IncidentKind.MeterRupture or IncidentKind.BigConsumer or IncidentKind.BatteryDip => DeviceKind.GasMeter,
        IncidentKind.PipeBurst or IncidentKind.IncipientLeak => DeviceKind.WaterFlow,
        IncidentKind.LowPressure or IncidentKind.NoisySensor or IncidentKind.SingleSpike or IncidentKind.StuckAt => DeviceKind.WaterPressure,
        IncidentKind.ReservoirFlood => DeviceKind.ReservoirLevel,
        IncidentKind.HeavyRain => DeviceKind.RainGauge,
        IncidentKind.KitchenFire or IncidentKind.SmokeAlarmRemoved or IncidentKind.BurntToast or IncidentKind.TestButton => DeviceKind.SmokeAlarm,
        IncidentKind.InsulationFault or IncidentKind.LooseTerminal => DeviceKind.ElectricalFireDetector,
        IncidentKind.HydrantValveClosed or IncidentKind.PumpStartDip => DeviceKind.FireWaterPressure,
        _ => DeviceKind.EvCharger,
    };

    /// <summary>Chooses a distinct device (or district) for each incident, deterministically.</summary>
    private sealed class Picker(CityModel city)
    {
        private readonly HashSet<int> _usedDevices = [];
        private readonly HashSet<int> _usedDistricts = [];
        private readonly HashSet<string> _usedBuildings = new(StringComparer.Ordinal);

        public Incident? Place(IncidentKind kind, long start, long end)
        {
            if (kind.IsBuildingIncident())
            {
                // A building of its own: its fire-water sensors all see the incident.
                var sensor = city.OfKind(DeviceKind.FireWaterPressure).FirstOrDefault(x => !_usedBuildings.Contains(BuildingOf(x)));
                if (sensor is null)
                {
                    return null;
                }

                var building = BuildingOf(sensor);
                _usedBuildings.Add(building);
                return Incident.OnDistrict(kind, building, sensor.District, start, end);
            }

            if (kind.IsDistrictIncident())
            {
                var district = NextDistrict();
                return district is null ? null : Incident.OnDistrict(kind, district.Name, district.Index, start, end);
            }

            // Pressure incidents and traps sit in a district of their own, so a district detector sees one cause at a time.
            CityDevice? device = kind switch
            {
                IncidentKind.LowPressure or IncidentKind.SingleSpike => NextDistrict() is { } d ? FirstFree(d.FarEnds) : null,
                IncidentKind.NoisySensor or IncidentKind.StuckAt => NextDistrict() is { } d ? FirstFree(d.PressureSensors.Except(d.FarEnds)) : null,
                // A kitchen fire needs a second smoke alarm in its building for the second alarm.
                // A rupture's meter takes the valve-close command: one with a connection of its own, not behind a concentrator.
                IncidentKind.MeterRupture => city.OfKind(DeviceKind.GasMeter).FirstOrDefault(x => !_usedDevices.Contains(x.Index) && x.Concentrator < 0),
                IncidentKind.KitchenFire => city.OfKind(DeviceKind.SmokeAlarm)
                    .FirstOrDefault(x => !_usedDevices.Contains(x.Index) && city.OfKind(DeviceKind.SmokeAlarm).Any(o => o != x && !_usedDevices.Contains(o.Index) && BuildingOf(o) == BuildingOf(x))),
                _ => city.OfKind(KindFor(kind)).FirstOrDefault(x => !_usedDevices.Contains(x.Index)),
            };
            if (device is null)
            {
                return null;
            }

            _usedDevices.Add(device.Index);
            return Incident.OnDevice(kind, device.Info.Id, device.Index, device.District, start, end);
        }

        /// <summary>The second smoke alarm of a kitchen fire: a free one in the first's building.</summary>
        public Incident? Companion(Incident first, long start, long end)
        {
            var building = BuildingOf(city.Devices[first.Device]);
            var second = city.OfKind(DeviceKind.SmokeAlarm).FirstOrDefault(x => !_usedDevices.Contains(x.Index) && BuildingOf(x) == building);
            if (second is null)
            {
                return null;
            }

            _usedDevices.Add(second.Index);
            return Incident.OnDevice(first.Kind, second.Info.Id, second.Index, second.District, start, end);
        }

        private static string BuildingOf(CityDevice device) => device.Info.Parameters.Get("building", "");

        private CityDistrict? NextDistrict()
        {
            var district = city.Districts.FirstOrDefault(d => !_usedDistricts.Contains(d.Index));
            if (district is not null)
            {
                _usedDistricts.Add(district.Index);
            }

            return district;
        }

        private CityDevice? FirstFree(IEnumerable<int> indexes) =>
            indexes.Where(i => !_usedDevices.Contains(i)).Select(i => city.Devices[i]).FirstOrDefault();
    }
}
