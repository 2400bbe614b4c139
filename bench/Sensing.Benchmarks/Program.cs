using BenchmarkDotNet.Running;

namespace Sensing.Benchmarks;

/// <summary>Entry point: pick benchmarks with <c>--filter</c>, e.g. <c>--filter '*Detection*' --job short</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
