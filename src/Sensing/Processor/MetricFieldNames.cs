using System.Text;
using Sensing.Core.Telemetry;

namespace Sensing.Processor;

/// <summary>UTF-8 store field names of every metric, encoded once.</summary>
internal static class MetricFieldNames
{
    private static readonly byte[][] Names = [.. Enumerable.Range(0, Metrics.MaxCode + 1).Select(i => Encoding.ASCII.GetBytes(((Metric)i).Name()))];

    public static ReadOnlySpan<byte> Get(Metric metric) => Names[(int)metric];
}
