using Sensing.Core.Devices;

namespace Sensing.Simulators.Leaks;

/// <summary>One district's demand, background leakage, legitimate draws and injected leaks.</summary>
internal sealed class DistrictModel
{
    // Public holidays as days of the year (a Greek calendar of fixed days plus Easter and Whit Monday 2025); they take
    // the weekend shape. The summer holiday month (August) runs at 85 % of demand, its residents away (Away).
    private static readonly int[] Holidays = [1, 6, 62, 84, 108, 109, 110, 111, 121, 160, 227, 301, 359, 360];

    private readonly double[] _weekday = new double[24];
    private readonly double[] _weekend = new double[24];
    private double _demand;
    private double _seasonAmplitude;
    private double _seasonPhase;
    private double[] _weather = [];
    private double _noise;
    private double _noiseSd;
    private (long Start, long End, double Flow)[] _draws = [];

    private DistrictModel(string name) => Name = name;

    public string Name { get; }

    public double MeanFlow { get; private set; }

    public double BackgroundLeakage { get; private set; }

    public DeviceInfo? Inlet { get; set; }

    public DeviceInfo? Pressure { get; set; }

    public MeterFaults FlowMeter { get; private set; } = null!;

    public MeterFaults PressureMeter { get; private set; } = null!;

    public List<LeakTruth> Leaks { get; } = [];

    public static DistrictModel Create(string name, Random random, LeakScenarioOptions options, long startMs, int steps, long stepMs)
    {
        var m = new DistrictModel(name);
        m.MeanFlow = 30 + (random.NextDouble() * 270);
        m.BackgroundLeakage = m.MeanFlow * (0.08 + (random.NextDouble() * 0.12));
        m._demand = m.MeanFlow - m.BackgroundLeakage;
        m._seasonAmplitude = 0.05 + (random.NextDouble() * 0.15);
        m._seasonPhase = 170 + (random.NextDouble() * 40);
        m._noiseSd = (0.03 + (random.NextDouble() * 0.02)) * options.DemandNoiseScale;
        var shift = (random.NextDouble() * 2) - 1;
        var scale = 0.85 + (random.NextDouble() * 0.3);
        Shape(m._weekday, 7.5 + shift, 0.8 * scale, 19.5 + shift, 0.55 * scale);
        Shape(m._weekend, 10 + shift, 0.6 * scale, 19.5 + shift, 0.5 * scale);

        // Weather: each day's demand level, AR(1) over days (rho 0.7, 3 % innovations times the weather scale), linear
        // between the days' centres (Weather).
        m._weather = new double[options.Days + 1];
        for (var d = 1; d < m._weather.Length; d++)
        {
            m._weather[d] = (0.7 * m._weather[d - 1]) + (0.03 * options.WeatherScale * LeakYear.Gaussian(random));
        }

        // Legitimate draws: mains flushing or fire fighting, 2 a year, 10-20 % of mean inflow for 1-3 hours.
        var dayMs = 86_400_000L;
        m._draws = new (long, long, double)[2];
        for (var i = 0; i < m._draws.Length; i++)
        {
            var at = startMs + (long)(random.NextDouble() * options.Days * dayMs);
            m._draws[i] = (at, at + (long)((1 + (random.NextDouble() * 2)) * 3_600_000), m.MeanFlow * (0.1 + (random.NextDouble() * 0.1)));
        }

        // Leaks: MinLeaks to MaxLeaks (1-3 unless set), each MinLeakFraction to MaxLeakFraction of mean inflow (2-15 %
        // unless set), half abrupt (a step within 0-30 min), half growing over 7-60 days.
        var count = options.MinLeaks + random.Next(options.MaxLeaks - options.MinLeaks + 1);
        for (var i = 0; i < count; i++)
        {
            var day = options.FirstLeakDay + (random.NextDouble() * (options.Days - 10 - options.FirstLeakDay));
            var start = startMs + (long)(day * dayMs);
            var abrupt = random.NextDouble() < 0.5;
            var ramp = abrupt ? (long)(random.NextDouble() * 1_800_000) : (long)((7 + (random.NextDouble() * 53)) * dayMs);
            var fraction = options.MinLeakFraction + (random.NextDouble() * (options.MaxLeakFraction - options.MinLeakFraction));
            m.Leaks.Add(new LeakTruth(name, abrupt ? LeakKind.Abrupt : LeakKind.Incipient, start, start + Math.Max(ramp, 1), fraction, fraction * m.MeanFlow));
        }

        m.Leaks.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
        m.FlowMeter = MeterFaults.Create(random, steps, stepMs, resolution: 0.01);
        m.PressureMeter = MeterFaults.Create(random, steps, stepMs, resolution: 0.0001);
        return m;
    }

    /// <summary>True inflow at step <paramref name="step"/>, m3/h.</summary>
    public double Flow(int step, long timeMs, DateTime local, long stepMs, Random random)
    {
        var dayOfYear = local.DayOfYear;
        var hour = local.Hour + (local.Minute / 60.0);
        var holiday = Array.IndexOf(Holidays, dayOfYear) >= 0;
        var weekend = holiday || local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var shape = Interpolate(weekend ? _weekend : _weekday, hour);
        var season = 1 + (_seasonAmplitude * Math.Cos(2 * Math.PI * (dayOfYear - _seasonPhase) / 365));
        var away = 1 - (0.15 * Away(local));

        // Demand noise, AR(1) with a correlation time of an hour.
        var rho = Math.Exp(-stepMs / 3_600_000.0);
        _noise = (rho * _noise) + (Math.Sqrt(1 - (rho * rho)) * _noiseSd * LeakYear.Gaussian(random));
        var demand = _demand * shape * season * away * (1 + Weather(step * stepMs)) * (1 + _noise);
        var flow = Math.Max(0, demand) + BackgroundLeakage;
        foreach (var (start, end, extra) in _draws)
        {
            flow += timeMs >= start && timeMs < end ? extra : 0;
        }

        foreach (var leak in Leaks)
        {
            flow += leak.FlowAt(timeMs);
        }

        return flow;
    }

    // The day's weather level, linear between the centres of the days: weather moves demand gradually, not at midnight.
    private double Weather(long sinceStartMs)
    {
        var x = (sinceStartMs / 86_400_000.0) - 0.5;
        var day = (int)Math.Floor(x);
        var f = x - day;
        var n = _weather.Length;
        return (_weather[Math.Clamp(day, 0, n - 1)] * (1 - f)) + (_weather[Math.Clamp(day + 1, 0, n - 1)] * f);
    }

    // How far into the summer holiday month the district is (0 to 1): residents leave over August's first day and come
    // back over September's first, not at the stroke of midnight.
    private static double Away(DateTime local)
    {
        var day = local.TimeOfDay.TotalDays;
        return local.Month switch
        {
            8 when local.Day == 1 => day,
            8 => 1,
            9 when local.Day == 1 => 1 - day,
            _ => 0,
        };
    }

    // A day's demand shape, mean 1: a night floor, a morning and an evening peak (Gaussian bumps of 1.5-2 h).
    private static void Shape(double[] shape, double morning, double morningHeight, double evening, double eveningHeight)
    {
        double sum = 0;
        for (var h = 0; h < 24; h++)
        {
            var t = h + 0.5;
            shape[h] = 0.35 + (0.55 / (1 + Math.Exp(-(t - 6) * 1.5)) * (1 / (1 + Math.Exp((t - 23) * 1.5))))
                + (morningHeight * Math.Exp(-Math.Pow((t - morning) / 1.5, 2)))
                + (eveningHeight * Math.Exp(-Math.Pow((t - evening) / 2, 2)));
            sum += shape[h];
        }

        for (var h = 0; h < 24; h++)
        {
            shape[h] *= 24 / sum;
        }
    }

    private static double Interpolate(double[] shape, double hour)
    {
        var x = hour - 0.5;
        var i = (int)Math.Floor(x);
        var f = x - i;
        return (shape[(i + 24) % 24] * (1 - f)) + (shape[(i + 1) % 24] * f);
    }
}

/// <summary>A meter's noise, resolution, outages and stuck periods.</summary>
internal sealed class MeterFaults
{
    private readonly bool[] _gap;
    private readonly bool[] _stuck;
    private readonly double _resolution;
    private readonly Random _random;
    private double _last;

    private MeterFaults(int steps, double resolution, Random random)
    {
        _gap = new bool[steps];
        _stuck = new bool[steps];
        _resolution = resolution;
        _random = random;
    }

    public static MeterFaults Create(Random random, int steps, long stepMs, double resolution)
    {
        var faults = new MeterFaults(steps, resolution, new Random(random.Next()));

        // About 8 outages a year of 1 h to 2 days, and 4 stuck periods of 1-24 h.
        Mark(faults._gap, random, steps, stepMs, 8, 1, 48);
        Mark(faults._stuck, random, steps, stepMs, 4, 1, 24);
        return faults;
    }

    /// <summary>What the meter reports for <paramref name="value"/> at step <paramref name="step"/>; false for no reading.</summary>
    public bool Read(int step, double value, out double read)
    {
        if (_gap[step])
        {
            read = double.NaN;
            return false;
        }

        if (!_stuck[step] || step == 0)
        {
            // 0.5 % of reading, then the meter's resolution.
            var noisy = value * (1 + (0.005 * LeakYear.Gaussian(_random)));
            _last = Math.Round(noisy / _resolution) * _resolution;
        }

        read = _last;
        return true;
    }

    private static void Mark(bool[] marks, Random random, int steps, long stepMs, int count, double minHours, double maxHours)
    {
        for (var i = 0; i < count; i++)
        {
            var from = random.Next(steps);
            var length = (int)((minHours + (random.NextDouble() * (maxHours - minHours))) * 3_600_000 / stepMs);
            for (var s = from; s < Math.Min(steps, from + length); s++)
            {
                marks[s] = true;
            }
        }
    }
}
