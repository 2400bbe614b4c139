using System.CommandLine;
using Sensing.Cli;
using Spectre.Console;

// Output to a file or a CI log has no terminal: no colour codes, and lines and tables keep their width instead of
// wrapping at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
    AnsiConsole.Profile.Capabilities.Ansi = false;
    AnsiConsole.Profile.Capabilities.Links = false;
}

var root = new RootCommand("Sensing: the city's event-streaming backbone (MQTT gateway -> Kafka -> detection -> store and alert feed)");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(GatewayCommand.Create());
root.Subcommands.Add(ProcessorCommand.Create());
root.Subcommands.Add(FeedCommand.Create());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(SimCommand.Create());
root.Subcommands.Add(BacktestCommand.Create());
root.Subcommands.Add(RulesCommand.Create());
root.Subcommands.Add(DevicesCommand.Create());
// Ctrl+C or SIGTERM cancels the command's token; the command then gets up to a minute to stop cleanly (a processor
// commits what it finished; `up` stops every process it started) before the process is ended. The library's default,
// 2 s, ended `up` in the middle of stopping its parts and left gateways, the feed and the simulator running.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(1) });
