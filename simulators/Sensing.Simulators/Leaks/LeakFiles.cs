using System.Globalization;
using Sensing.Core.Devices;
using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Leaks;

/// <summary>A leak year on disk for <c>sensing backtest</c>: readings.csv (long form), registry.csv and leaks.csv (the ground truth).</summary>
public static class LeakFiles
{
    /// <summary>Writes <paramref name="year"/> into <paramref name="directory"/> (created when missing).</summary>
    public static void Write(LeakYear year, string directory)
    {
        ArgumentNullException.ThrowIfNull(year);
        Directory.CreateDirectory(directory);
        using (var readings = new ReadingsCsvWriter(Path.Combine(directory, "readings.csv")))
        {
            foreach (var r in year.Readings)
            {
                readings.Write(r.Device.Id, r.TimeMs, r.ReceivedMs, r.Metrics);
            }
        }

        DeviceRegistryFile.Write(Path.Combine(directory, "registry.csv"), year.Devices);
        File.WriteAllLines(Path.Combine(directory, "leaks.csv"), [LeakTruth.CsvHeader, .. year.Leaks.Select(l => l.ToCsv())]);
    }

    /// <summary>True when <paramref name="path"/> is a leak truth file (its first line is <see cref="LeakTruth.CsvHeader"/>).</summary>
    public static bool IsLeakTruth(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine()?.Trim() == LeakTruth.CsvHeader;
    }

    /// <summary>Reads a leak truth file; a bad line throws <see cref="FormatException"/> naming it.</summary>
    public static List<LeakTruth> ReadTruth(string path)
    {
        var leaks = new List<LeakTruth>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            if (++line == 1 || text.Length == 0)
            {
                continue;
            }

            var f = text.Split(',');
            if (f.Length != 6 || !Enum.TryParse<LeakKind>(f[1], ignoreCase: true, out var kind)
                || !CsvTime.TryParse(f[2], out var start) || !CsvTime.TryParse(f[3], out var full)
                || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction)
                || !double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var flow))
            {
                throw new FormatException($"{path}:{line}: expected {LeakTruth.CsvHeader}");
            }

            leaks.Add(new LeakTruth(f[0], kind, start, full, fraction, flow));
        }

        return leaks;
    }

    /// <summary>The score as report lines: counts, precision, recall, median time to detection per kind.</summary>
    public static IEnumerable<string> Report(LeakScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        var precision = score.Detected + score.FalseAlarms.Count == 0 ? 0 : score.Detected / (double)(score.Detected + score.FalseAlarms.Count);
        var recall = score.Outcomes.Count == 0 ? 0 : score.Detected / (double)score.Outcomes.Count;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"leaks {score.Outcomes.Count}: detected {score.Detected}, false alarms {score.FalseAlarms.Count}, missed {score.Missed}; precision {precision:0.00}, recall {recall:0.00}");
        foreach (var kind in Enum.GetValues<LeakKind>())
        {
            var times = score.Outcomes.Where(o => o.Leak.Kind == kind && o.TimeToDetection is not null).Select(o => o.TimeToDetection!.Value).Order().ToList();
            var all = score.Outcomes.Count(o => o.Leak.Kind == kind);
            var median = times.Count == 0 ? "never detected" : "median time to detection " + Truth.DetectionScore.Describe(times[times.Count / 2]);
            yield return $"  {kind.ToString().ToLowerInvariant(),-10} {times.Count}/{all} detected, {median}";
        }
    }
}
