using BenchmarkDotNet.Running;

namespace Sensing.Benchmarks;

/// <summary>Entry point: pick benchmarks with <c>--filter</c>, e.g. <c>--filter '*Detection*' --job short</c>.</summary>
public static class Program
{
    /// <summary>
    /// Runs the benchmarks selected on the command line; <c>detection-cpu [seconds]</c> runs the detection engine's
    /// CPU-time load driver instead.
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["detection-cpu", ..])
        {
            Detection.DetectionCpuDriver.Run(Console.Out, args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
