using System.Diagnostics;
using System.Globalization;
using Sensing.Detection;
using Sensing.Simulators.Backtest;
using Sensing.Simulators.Leaks;

namespace Sensing.Benchmarks.Leaks;

/// <summary>
/// <c>leak-backtest [seeds] [days] [families]</c>: year-long leak scenarios in six families (5- and 15-minute data,
/// districts with an inlet meter only or with a pressure sensor, and towns of many leaks through one inlet meter), each
/// over the given seeds (families: a comma-separated list of names such as <c>5min-town</c>, default all); the project's detection engine (as <c>sensing
/// backtest</c> runs it, rules for Europe/Athens) and the two reference detectors score on the same readings, next to
/// the bound of <see cref="TruthBound"/> (the ground truth raised at the leak rules' minRiseFraction). Prints one markdown table.
/// </summary>
public static class LeakBacktestDriver
{
    private static readonly string[] Detectors = ["sensing (defaults)", "sensing (leak rules)", "leakdb-mnf", "hourly-cusum", TruthRow];

    // The bound of TruthBound: each leak raised from the ground truth when it reaches the leak rules' minRiseFraction.
    private const string TruthRow = "truth at min rise (bound)";

    // The four district families (5- and 15-minute data, inlet meter only or with a pressure sensor: 10 districts of
    // 1-3 leaks each), then the towns (3 towns through one inlet meter each, 8-16 leaks each, 5- and 15-minute data).
    private static readonly Func<int, LeakScenarioOptions>[] Families =
    [
        seed => new LeakScenarioOptions { Seed = seed, IntervalSeconds = 300 },
        seed => new LeakScenarioOptions { Seed = seed, IntervalSeconds = 300, WithPressure = true },
        seed => new LeakScenarioOptions { Seed = seed, IntervalSeconds = 900 },
        seed => new LeakScenarioOptions { Seed = seed, IntervalSeconds = 900, WithPressure = true },
        seed => LeakScenarioOptions.Town(seed, 300),
        seed => LeakScenarioOptions.Town(seed, 900),
    ];

    /// <summary>The quieter city's scale of the demand noise and of the weather's moves.</summary>
    private const double QuietDemandNoise = 0.25;
    private const double QuietWeather = 0.5;

    /// <summary>The scenario in the quieter city when <paramref name="quiet"/>, else as it is.</summary>
    internal static LeakScenarioOptions Quiet(LeakScenarioOptions scenario, bool quiet) =>
        quiet ? scenario with { DemandNoiseScale = QuietDemandNoise, WeatherScale = QuietWeather } : scenario;

    /// <summary>Runs; <paramref name="args"/>: seeds (e.g. 1-5), days, families (comma-separated, or all), quiet.</summary>
    public static int Run(TextWriter output, string[] args)
    {
        var seeds = args.Length > 0 ? ParseSeeds(args[0]) : [1, 2, 3, 4, 5];
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 365;
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");
        var options = DetectionOptions.Default with { TimeZone = zone };
        var leakRules = LeakRules(options);
        var clock = Stopwatch.StartNew();
        output.WriteLine("| family | detector | leaks | detected / false / missed | precision | recall | recall >= 3 % | F1 | median TTD abrupt | median TTD incipient | incipient size at detection |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var only = args.Length > 2 && args[2] != "all" ? args[2].Split(',') : null;
        // "quiet": a quarter of the demand noise and half the weather's moves, the regime where the profile's own errors
        // and the structure of the tests, not the demand's noise, limit what is found and how soon.
        var quiet = args.Length > 3 && args[3] == "quiet";
        if (args.Length > 3 && !quiet)
        {
            output.WriteLine($"leak-backtest: the fourth argument is 'quiet' or nothing, was '{args[3]}'");
            return 2;
        }

        foreach (var make in Families)
        {
            if (only is not null && !only.Contains(make(1).Family, StringComparer.Ordinal) && !only.Contains(Quiet(make(1), quiet).Family, StringComparer.Ordinal))
            {
                continue;
            }

            var totals = Detectors.ToDictionary(d => d, _ => new List<LeakScore>());
            var conditions = new Dictionary<string, int>(StringComparer.Ordinal);
            var family = "";
            foreach (var seed in seeds)
            {
                var scenario = Quiet(make(seed), quiet) with { Days = days, TimeZone = zone };
                family = scenario.Family;
                var year = LeakYear.Generate(scenario);
                var districts = year.Devices.Select(d => d.District).ToHashSet(StringComparer.Ordinal);
                foreach (var (detector, rules) in new[] { ("sensing (defaults)", options), ("sensing (leak rules)", leakRules) })
                {
                    var engine = BacktestRun.Run(year.Readings, year.Devices, rules);
                    var ours = engine.Alerts.Where(a => districts.Contains(a.Source)).Select(a => new LeakAlarm(a.Source, a.RaisedAtMs, a.Condition)).ToList();
                    foreach (var a in ours)
                    {
                        conditions[detector + " " + a.Condition] = conditions.GetValueOrDefault(detector + " " + a.Condition) + 1;
                    }

                    totals[detector].Add(LeakScore.Compute(year.Leaks, ours, scenario.Grace));
                }

                totals["leakdb-mnf"].Add(LeakScore.Compute(year.Leaks, MnfBaseline.Run(year.Readings, zone), scenario.Grace));
                totals["hourly-cusum"].Add(LeakScore.Compute(year.Leaks, HourlyCusumBaseline.Run(year.Readings, zone), scenario.Grace));
                totals[TruthRow].Add(LeakScore.Compute(year.Leaks, TruthBound.Run(year.Leaks, leakRules.Water.InletLeak.MinRiseFraction), scenario.Grace));
                Console.Error.WriteLine($"{family} seed {seed}: {year.Readings.Count:N0} readings, {year.Leaks.Count} leaks, {clock.Elapsed.TotalSeconds:0} s");
            }

            foreach (var detector in Detectors)
            {
                output.WriteLine(Row(family, detector, totals[detector]));
            }

            Console.Error.WriteLine($"{family}: sensing alerts by condition: {string.Join(", ", conditions.Select(c => $"{c.Key} {c.Value}"))}");
        }

        output.WriteLine();
        output.WriteLine($"seeds {string.Join(",", seeds)}, {days} days, {clock.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>
    /// The rules a utility with inlet meters runs (bench/leak-rules.yaml says the same): the pipe-burst vote only for
    /// bursts of 40 % of inflow and more (CUSUM h 10) (the inlet-leak detector takes the smaller steps), the LeakDB night-flow rule
    /// at gamma 1 (only a doubled night flow; the inlet-leak detector re-arms per step where it would stay raised).
    /// </summary>
    public static DetectionOptions LeakRules(DetectionOptions options) => options with
    {
        Water = options.Water with
        {
            PipeBurst = options.Water.PipeBurst with { MinimumBurstFraction = 0.4, DecisionSigma = 10 },
            NightFlow = options.Water.NightFlow with
            {
                Gamma = Environment.GetEnvironmentVariable("LEAK_NIGHT_GAMMA") is { } gamma ? double.Parse(gamma, CultureInfo.InvariantCulture) : 1,
            },
            InletLeak = options.Water.InletLeak with
            {
                // For trials without a rebuild: LEAK_STEP_H, LEAK_TREND_H, LEAK_NIGHT_HOURS (stepNightHours), LEAK_NIGHT_GAMMA, LEAK_SPLIT=0|1 (stepSplit),
                // LEAK_LEVEL_WALK (stepLevelWalk), LEAK_RERAISE_DAYS (reraiseHold), LEAK_CONTINUATION (growthContinuation),
                // LEAK_SETTLE_DAYS (growthSettleDays), LEAK_CALIBRATION_DAYS (calibrationDays), LEAK_TREND_K (trendK),
                // LEAK_MIN_RISE (minRiseFraction; the truth bound's row follows it) (unset: the defaults).
                StepH = Environment.GetEnvironmentVariable("LEAK_STEP_H") is { } step ? double.Parse(step, CultureInfo.InvariantCulture) : options.Water.InletLeak.StepH,
                TrendH = Environment.GetEnvironmentVariable("LEAK_TREND_H") is { } trend ? double.Parse(trend, CultureInfo.InvariantCulture) : options.Water.InletLeak.TrendH,
                StepNightHours = Environment.GetEnvironmentVariable("LEAK_NIGHT_HOURS") is { } night ? int.Parse(night, CultureInfo.InvariantCulture) : options.Water.InletLeak.StepNightHours,
                StepSplit = Environment.GetEnvironmentVariable("LEAK_SPLIT") is { } split ? split != "0" : options.Water.InletLeak.StepSplit,
                StepLevelWalk = Environment.GetEnvironmentVariable("LEAK_LEVEL_WALK") is { } walk ? double.Parse(walk, CultureInfo.InvariantCulture) : options.Water.InletLeak.StepLevelWalk,
                ReraiseHold = Environment.GetEnvironmentVariable("LEAK_RERAISE_DAYS") is { } hold ? TimeSpan.FromDays(double.Parse(hold, CultureInfo.InvariantCulture)) : options.Water.InletLeak.ReraiseHold,
                GrowthContinuation = Environment.GetEnvironmentVariable("LEAK_CONTINUATION") is { } going ? double.Parse(going, CultureInfo.InvariantCulture) : options.Water.InletLeak.GrowthContinuation,
                GrowthSettleDays = Environment.GetEnvironmentVariable("LEAK_SETTLE_DAYS") is { } settle ? int.Parse(settle, CultureInfo.InvariantCulture) : options.Water.InletLeak.GrowthSettleDays,
                CalibrationDays = Environment.GetEnvironmentVariable("LEAK_CALIBRATION_DAYS") is { } calibration ? int.Parse(calibration, CultureInfo.InvariantCulture) : options.Water.InletLeak.CalibrationDays,
                JumpZ = Environment.GetEnvironmentVariable("LEAK_JUMP_Z") is { } jumpZ ? double.Parse(jumpZ, CultureInfo.InvariantCulture) : options.Water.InletLeak.JumpZ,
                JumpHold = Environment.GetEnvironmentVariable("LEAK_JUMP_HOLD_H") is { } jumpHold ? TimeSpan.FromHours(double.Parse(jumpHold, CultureInfo.InvariantCulture)) : options.Water.InletLeak.JumpHold,
                TrendK = Environment.GetEnvironmentVariable("LEAK_TREND_K") is { } trendK ? double.Parse(trendK, CultureInfo.InvariantCulture) : options.Water.InletLeak.TrendK,
                MinRiseFraction = Environment.GetEnvironmentVariable("LEAK_MIN_RISE") is { } minRise ? double.Parse(minRise, CultureInfo.InvariantCulture) : options.Water.InletLeak.MinRiseFraction,
            },
        },
    };

    private static string Row(string family, string detector, List<LeakScore> scores)
    {
        var outcomes = scores.SelectMany(s => s.Outcomes).ToList();
        var detected = outcomes.Count(o => o.TimeToDetection is not null);
        var falseAlarms = scores.Sum(s => s.FalseAlarms.Count);
        var missed = outcomes.Count - detected;
        var precision = detected + falseAlarms == 0 ? 0 : detected / (double)(detected + falseAlarms);
        var recall = outcomes.Count == 0 ? 0 : detected / (double)outcomes.Count;
        var big = outcomes.Where(o => o.Leak.Fraction >= 0.03).ToList();
        var recallBig = big.Count == 0 ? 0 : big.Count(o => o.TimeToDetection is not null) / (double)big.Count;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {family} | {detector} | {outcomes.Count} | {detected} / {falseAlarms} / {missed} | {precision:0.00} | {recall:0.00} | {recallBig:0.00} | {f1:0.00} | {Median(outcomes, LeakKind.Abrupt)} | {Median(outcomes, LeakKind.Incipient)} | {SizeAtDetection(outcomes)} |");
    }

    // The median size an incipient leak had grown to when it was detected, in % of its district's mean inflow: how far
    // past the smallest rise a detector waits for its evidence.
    private static string SizeAtDetection(List<(LeakTruth Leak, TimeSpan? TimeToDetection)> outcomes)
    {
        var sizes = outcomes.Where(o => o.Leak.Kind == LeakKind.Incipient && o.TimeToDetection is not null)
            .Select(o => o.Leak.Fraction * Math.Min(1, o.TimeToDetection!.Value.TotalMilliseconds / (o.Leak.FullMs - o.Leak.StartMs)) * 100)
            .Order().ToArray();
        if (sizes.Length == 0)
        {
            return "-";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{MedianOf(sizes):0.0} %");
    }

    private static double MedianOf(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    private static string Median(List<(LeakTruth Leak, TimeSpan? TimeToDetection)> outcomes, LeakKind kind)
    {
        var times = outcomes.Where(o => o.Leak.Kind == kind && o.TimeToDetection is not null).Select(o => o.TimeToDetection!.Value.TotalHours).Order().ToArray();
        if (times.Length == 0)
        {
            return "-";
        }

        var median = MedianOf(times);
        return median < 48 ? string.Create(CultureInfo.InvariantCulture, $"{median:0.0} h") : string.Create(CultureInfo.InvariantCulture, $"{median / 24:0.0} d");
    }

    private static int[] ParseSeeds(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            var from = int.Parse(text[..dash], CultureInfo.InvariantCulture);
            var to = int.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture);
            return [.. Enumerable.Range(from, to - from + 1)];
        }

        return [.. text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
    }
}
