namespace Sensing.Tests.Detection;

/// <summary>
/// Realistic district series for the water tests: a diurnal demand curve (night minimum around 03:00 local, morning
/// and evening peaks) with Gaussian noise from a seeded <see cref="Random"/>. Pressure falls as demand rises
/// (head loss), inlet flow rises with it. Local time is UTC+8 like the detectors' default.
/// </summary>
internal sealed class WaterSeries(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Relative demand at <paramref name="atMs"/> after <see cref="WaterTestKit.T0"/>, about 0.2 at night to 1.0 at the evening peak.</summary>
    public static double Demand(long atMs)
    {
        var hour = ((WaterTestKit.T0 + atMs + (8 * WaterTestKit.Hour)) % WaterTestKit.Day) / (double)WaterTestKit.Hour;
        return 0.55 + (0.3 * Math.Sin(2 * Math.PI * (hour - 9) / 24))
            + (0.15 * Math.Exp(-Math.Pow(hour - 7.5, 2) / 2)) + (0.15 * Math.Exp(-Math.Pow(hour - 19.5, 2) / 2));
    }

    /// <summary>Pressure of a sensor with static head <paramref name="headMpa"/>, MPa: 0.12 MPa of head loss at full demand, noise sigma 0.004 MPa.</summary>
    public double Pressure(long atMs, double headMpa = 0.40, double noiseMpa = 0.004) =>
        headMpa - (0.12 * Demand(atMs)) + (noiseMpa * Gaussian());

    /// <summary>District inlet flow, m3/h: 100 base (night use and background leakage) plus 400 at full demand, noise sigma 8.</summary>
    public double Flow(long atMs, double noise = 8) => 100 + (400 * Demand(atMs)) + (noise * Gaussian());

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public double Gaussian()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
