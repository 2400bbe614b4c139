using System.Diagnostics;
using System.Globalization;

namespace Sensing.Benchmarks.Detection;

/// <summary>
/// Load driver for the detection engine that counts process CPU time instead of wall-clock time: readings per
/// CPU-second on one thread is readings/s per core even on a shared, oversubscribed machine, where a wall-clock
/// benchmark mostly measures the time the thread waits for a core. Runs the same mixed fleet and the same
/// invocations as <see cref="DetectionEngineBenchmarks"/>.
/// </summary>
public static class DetectionCpuDriver
{
    /// <summary>Warms up, then runs decode-only and decode + engine for <paramref name="seconds"/> each and prints the figures.</summary>
    public static void Run(TextWriter output, double seconds)
    {
        var bench = new DetectionEngineBenchmarks();
        bench.Setup();

        // Warm-up so tiered compilation has produced the final code before anything is measured.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(Math.Min(seconds, 5)))
        {
            bench.Decode();
            bench.DecodeAndDetect();
        }

        output.WriteLine("| what | readings | CPU s | wall s | CPU ns/reading | readings/s per core (CPU) | allocated/reading |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        Measure(output, "frame decode only", seconds, () => bench.Decode());
        Measure(output, "decode + every detector + AdvanceTo", seconds, () => bench.DecodeAndDetect());
        Measure(output, "decode + registry lookup + every detector", seconds, () => bench.DecodeLookupAndDetect());
    }

    private static void Measure(TextWriter output, string what, double seconds, Action invocation)
    {
        using var process = Process.GetCurrentProcess();
        long invocations = 0;
        var wall = Stopwatch.StartNew();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        while (wall.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            invocation();
            invocations++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var readings = invocations * DetectionEngineBenchmarks.ReadingsPerInvocation;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {readings:N0} | {cpu.TotalSeconds:0.00} | {wall.Elapsed.TotalSeconds:0.00} | {cpu.TotalNanoseconds / readings:0.0} | {readings / cpu.TotalSeconds / 1e6:0.0} M | {(double)allocated / readings:0.###} B |"));
    }
}
