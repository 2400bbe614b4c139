using System.CommandLine;
using Sensing.Feed;

namespace Sensing.Cli;

/// <summary><c>sensing feed</c>: the alert feed HTTP API.</summary>
internal static class FeedCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Listen address", DefaultValueFactory = _ => FeedOptions.Default.Url };
        var command = new Command("feed", "Serve the alert feed (GET /api/alerts) rebuilt from sensing.alerts")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, url, CommonOptions.Store,
        };
        command.SetAction(async (result, ct) =>
        {
            var app = FeedHost.Build(new FeedOptions { Url = result.GetValue(url)!, StoreUrl = result.GetValue(CommonOptions.Store)! }, CommonOptions.KafkaFrom(result));
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
