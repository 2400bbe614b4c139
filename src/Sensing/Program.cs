using System.CommandLine;
using Sensing.Cli;

var root = new RootCommand("Sensing: the city's event-streaming backbone (MQTT gateway -> Kafka -> detection -> store and alert feed)");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(GatewayCommand.Create());
root.Subcommands.Add(ProcessorCommand.Create());
root.Subcommands.Add(FeedCommand.Create());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(SimCommand.Create());
root.Subcommands.Add(BacktestCommand.Create());
root.Subcommands.Add(RulesCommand.Create());
return await root.Parse(args).InvokeAsync();
