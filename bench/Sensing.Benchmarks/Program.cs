using BenchmarkDotNet.Running;

namespace Sensing.Benchmarks;

/// <summary>Entry point: pick benchmarks with <c>--filter</c>, e.g. <c>--filter '*Detection*' --job short</c>.</summary>
public static class Program
{
    /// <summary>
    /// Runs the benchmarks selected on the command line; <c>detection-cpu [seconds]</c> runs the detection engine's
    /// CPU-time load driver instead, <c>processor-throughput SENSING_EXE [readings] [devices] [raw-samples] [processor options...]</c> the
    /// consume-to-alert throughput of the real processor process against a real Kafka broker, <c>checkpoint-size [devices]
    /// [readings]</c> the size and cost of the city's checkpoints.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args is ["processor-throughput", _, ..])
        {
            return Processor.ProcessorThroughputDriver.RunAsync(Console.Out, args[1..]).GetAwaiter().GetResult();
        }

        if (args is ["checkpoint-size", ..])
        {
            return Processor.CheckpointSizeDriver.Run(Console.Out, args[1..]);
        }

        if (args is ["leak-debug", _, _, _] or ["leak-debug", _, _, _, "quiet"])
        {
            return Leaks.LeakDebug.Run(Console.Out, args[1..]);
        }

        if (args is ["leak-backtest", ..])
        {
            return Leaks.LeakBacktestDriver.Run(Console.Out, args[1..]);
        }

        if (args is ["detection-cpu", ..])
        {
            Detection.DetectionCpuDriver.Run(Console.Out, args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
