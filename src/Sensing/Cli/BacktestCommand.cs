using System.CommandLine;
using Sensing.Backtest;
using Sensing.Rules;
using Sensing.Simulators.Replay;
using Spectre.Console;

namespace Sensing.Cli;

/// <summary><c>sensing backtest</c>: the detection engine over recorded data.</summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "Recorded data: long (timestamp,sensor,value) or wide (timestamp,<sensor>...) CSV", Required = true };
        var format = new Option<RecordingFormat>("--format") { Description = "long or wide", DefaultValueFactory = _ => RecordingFormat.Long };
        var map = new Option<FileInfo?>("--map") { Description = "Sensor map CSV: sensor,device,kind,district,metric[,report_s]" };
        var registry = new Option<FileInfo?>("--registry") { Description = "Device registry CSV (sensors named device/metric)" };
        var truth = new Option<FileInfo?>("--truth") { Description = "Ground truth CSV: kind,source,start,end,expected_condition" };
        var output = new Option<FileInfo>("--out") { Description = "Alerts as JSON lines", Required = true };
        var command = new Command("backtest", "Run the detection engine over recorded data in event-time order; score against ground truth")
        {
            input, format, map, registry, truth, output, CommonOptions.Rules,
        };
        command.SetAction(result =>
        {
            try
            {
                return new BacktestJob(new BacktestOptions
                {
                    Input = result.GetValue(input)!.FullName,
                    Format = result.GetValue(format),
                    Map = result.GetValue(map)?.FullName,
                    Registry = result.GetValue(registry)?.FullName,
                    Truth = result.GetValue(truth)?.FullName,
                    Out = result.GetValue(output)!.FullName,
                    Rules = CommonOptions.RulesFrom(result),
                }, AnsiConsole.Console).Run();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or RulesFileException)
            {
                Console.Error.WriteLine("sensing backtest: " + e.Message);
                return 2;
            }
        });
        return command;
    }
}
