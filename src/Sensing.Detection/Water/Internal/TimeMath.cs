namespace Sensing.Detection.Water.Internal;

/// <summary>Floor division for event times, which may precede 1970 in replayed or misconfigured data.</summary>
internal static class TimeMath
{
    /// <summary>The largest q with q x <paramref name="divisor"/> &lt;= <paramref name="value"/> (divisor &gt; 0).</summary>
    public static long FloorDiv(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }

    /// <summary><paramref name="value"/> modulo <paramref name="divisor"/> in 0..divisor-1 (divisor &gt; 0).</summary>
    public static int FloorMod(long value, int divisor)
    {
        var remainder = (int)(value % divisor);
        return remainder < 0 ? remainder + divisor : remainder;
    }

    /// <summary><paramref name="value"/> modulo <paramref name="divisor"/> in 0..divisor-1 (divisor &gt; 0).</summary>
    public static long FloorMod(long value, long divisor)
    {
        var remainder = value % divisor;
        return remainder < 0 ? remainder + divisor : remainder;
    }
}
