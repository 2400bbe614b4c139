using OpenTelemetry.Metrics;

namespace Sensing.Storage.Telemetry;

/// <summary>Quantiles of an explicit-bucket histogram, estimated by linear interpolation inside the bucket that
/// holds the quantile (as PromQL's histogram_quantile does).</summary>
internal static class HistogramQuantile
{
    /// <summary>The <paramref name="q"/>-quantile, or NaN for an empty histogram (the field is then skipped).</summary>
    public static double Estimate(HistogramBuckets buckets, long count, double q)
    {
        if (count == 0)
        {
            return double.NaN;
        }

        var target = q * count;
        var lower = 0.0;
        long cumulative = 0;
        foreach (var bucket in buckets)
        {
            var previous = cumulative;
            cumulative += bucket.BucketCount;
            if (cumulative >= target && bucket.BucketCount > 0)
            {
                // The +Inf bucket has no upper bound: its lower bound is the best estimate.
                if (double.IsPositiveInfinity(bucket.ExplicitBound))
                {
                    return lower;
                }

                return lower + ((bucket.ExplicitBound - lower) * (target - previous) / bucket.BucketCount);
            }

            lower = bucket.ExplicitBound;
        }

        return lower;
    }
}
