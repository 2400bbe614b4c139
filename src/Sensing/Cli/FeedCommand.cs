using System.CommandLine;
using Sensing.Detection;
using Sensing.Feed;
using Sensing.Feed.Auth;
using Sensing.Rules;
using Sensing.Storage.Telemetry;

namespace Sensing.Cli;

/// <summary><c>sensing feed</c>: the alert feed HTTP API and operator console.</summary>
internal static class FeedCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Listen address", DefaultValueFactory = _ => FeedOptions.Default.Url };
        var apiKeys = new Option<FileInfo>("--api-keys")
        {
            Description = "API keys file: CSV lines name,role,sha256 (role viewer or operator; sha256 = hex SHA-256 of the key)",
            Required = true,
        };
        var timeZone = new Option<string?>("--time-zone")
        {
            Description = "The city's time zone (IANA name, e.g. Europe/Berlin) for dates and times on the console; default: the rules file's timeZone with --rules, else UTC",
        };
        var command = new Command("feed", "Serve the alert feed (API, live stream, operator console) rebuilt from sensing.alerts")
        {
            CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion, url, apiKeys, CommonOptions.Store, CommonOptions.StoreWriteApi, CommonOptions.StoreDatabase, CommonOptions.StoreOrg, CommonOptions.StoreBucket,
            CommonOptions.Otlp, CommonOptions.Rules, timeZone,
        };
        command.SetAction(async (result, ct) =>
        {
            WebApplication app;
            PipelineMetricsOptions metricsOptions;
            try
            {
                var keys = ApiKeyRing.Load(result.GetValue(apiKeys)!.FullName);
                var rules = CommonOptions.RulesFrom(result);
                var options = new FeedOptions
                {
                    Url = result.GetValue(url)!,
                    ApiKeys = keys,
                    StoreUrl = result.GetValue(CommonOptions.Store)!,
                    Rules = rules,
                    TimeZone = CityZone(result.GetValue(timeZone), rules),
                };
                app = FeedHost.Build(options, CommonOptions.KafkaFrom(result));
                metricsOptions = CommonOptions.MetricsFrom(result, "feed");
            }
            catch (Exception e) when (e is ApiKeyFileException or ArgumentException or RulesFileException)
            {
                await Console.Error.WriteLineAsync("sensing feed: " + e.Message);
                return 2;
            }

            using var metrics = PipelineMetrics.Start(metricsOptions);
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary><c>--time-zone</c> when given, else the rules file's zone (the processor's), else UTC.</summary>
    private static TimeZoneInfo CityZone(string? name, RuleSet? rules)
    {
        if (name is null)
        {
            return rules?.Detection.TimeZone ?? TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Without a zone database (no tzdata) the detection default still reads: it is built in.
            if (name.Trim() == DetectionOptions.ChinaStandardTime.Id)
            {
                return DetectionOptions.ChinaStandardTime;
            }

            throw new ArgumentException($"--time-zone: '{name}' is not a time zone of this system (an IANA name such as Europe/Berlin)", e);
        }
    }
}
