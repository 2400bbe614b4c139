using System.CommandLine;
using Sensing.Rules;

namespace Sensing.Cli;

/// <summary><c>sensing rules</c>: the rules file's defaults, and checking a file.</summary>
internal static class RulesCommand
{
    public static Command Create()
    {
        var defaults = new Command("defaults", "Print the complete rules file with every default and a comment per key");
        defaults.SetAction(_ =>
        {
            Console.Out.Write(RulesFile.Defaults);
            return 0;
        });

        var file = new Argument<FileInfo>("FILE") { Description = "The rules file to check" };
        var check = new Command("check", "Check a rules file: exit 0 when processor, backtest and up would take it, else 1 with the problem") { file };
        check.SetAction(result =>
        {
            var path = result.GetValue(file)!.FullName;
            try
            {
                var rules = RulesFile.Load(path);
                var overrides = rules.Detection.Overrides;
                Console.Out.WriteLine(
                    $"{path}: ok, {Count(rules.Settings.Count, "key")} set; overrides for {Count(overrides.Districts.Count, "district")}, " +
                    $"{Count(overrides.Kinds.Count, "kind")}, {Count(overrides.Devices.Count, "device")}; time zone {rules.Detection.TimeZone.Id}; sha256 {rules.Sha256}");
                return 0;
            }
            catch (RulesFileException e)
            {
                Console.Error.WriteLine("sensing rules check: " + e.Message);
                return 1;
            }
        });

        return new Command("rules", "The rules file operators set (docs/rules.md): print the defaults, check a file") { defaults, check };
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
