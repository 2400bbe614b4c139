namespace Sensing.Simulators.City;

/// <summary>
/// Stateless, seeded randomness: a value depends only on its inputs (seed, device, step, channel), so a device's
/// readings are the same whatever order the simulation produces them in, and a city of 190,000 devices needs no
/// generator object per device.
/// </summary>
public static class Noise
{
    // SplitMix64 finaliser constants (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", 2014).
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong Mix1 = 0xBF58476D1CE4E5B9UL;
    private const ulong Mix2 = 0x94D049BB133111EBUL;

    /// <summary>A 64-bit hash of the inputs.</summary>
    public static ulong Hash(int seed, int device, long step, int channel)
    {
        var x = Finalise((ulong)(uint)seed * Gamma);
        x = Finalise(x ^ ((ulong)(uint)device * Gamma));
        x = Finalise(x ^ (ulong)step);
        return Finalise(x ^ ((ulong)(uint)channel * Gamma));
    }

    /// <summary>Uniform in [0, 1).</summary>
    public static double Uniform(int seed, int device, long step, int channel) =>
        (Hash(seed, device, step, channel) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (mean 0, deviation 1), by the Box-Muller transform of two uniforms.</summary>
    public static double Gaussian(int seed, int device, long step, int channel)
    {
        var u1 = 1.0 - Uniform(seed, device, step, channel);
        var u2 = Uniform(seed, device, step, channel + 7919);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Finalise(ulong z)
    {
        z += Gamma;
        z = (z ^ (z >> 30)) * Mix1;
        z = (z ^ (z >> 27)) * Mix2;
        return z ^ (z >> 31);
    }
}
