using System.Text;
using Sensing.Core.Alerts;
using Sensing.Simulators.Incidents;
using Sensing.Simulators.Replay;

namespace Sensing.Simulators.Truth;

/// <summary>
/// The ground-truth file: CSV with the header <c>kind,source,start,end,expected_condition</c>; times are ISO 8601 UTC
/// (Unix ms is accepted when reading); <c>expected_condition</c> is an alert condition name, or <c>none</c> for a
/// trap that must raise nothing.
/// </summary>
public static class TruthFile
{
    /// <summary>The header line.</summary>
    public const string Header = "kind,source,start,end,expected_condition";

    /// <summary>Writes the entries.</summary>
    public static void Write(string path, IEnumerable<TruthEntry> entries)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine(Header);
        foreach (var e in entries)
        {
            writer.WriteLine($"{e.Kind},{e.Source},{CsvTime.Format(e.StartMs)},{CsvTime.Format(e.EndMs)},{e.ExpectedCondition}");
        }
    }

    /// <summary>Reads and validates a truth file; a bad line throws <see cref="FormatException"/> with file and line number.</summary>
    public static IReadOnlyList<TruthEntry> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FormatException($"truth file '{path}' does not exist");
        }

        var entries = new List<TruthEntry>();
        var lineNumber = 0;
        var sawHeader = false;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (!sawHeader)
            {
                sawHeader = line.Trim() == Header ? true : throw new FormatException($"{path}:{lineNumber}: expected the header '{Header}'");
                continue;
            }

            var cells = line.Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length != 5)
            {
                throw new FormatException($"{path}:{lineNumber}: expected 5 columns, found {cells.Length}");
            }

            if (cells[0].Length == 0 || cells[1].Length == 0)
            {
                throw new FormatException($"{path}:{lineNumber}: kind and source must not be empty");
            }

            if (!CsvTime.TryParse(cells[2], out var start) || !CsvTime.TryParse(cells[3], out var end))
            {
                throw new FormatException($"{path}:{lineNumber}: start and end must be Unix ms or ISO 8601");
            }

            if (end <= start)
            {
                throw new FormatException($"{path}:{lineNumber}: end {cells[3]} is not after start {cells[2]}");
            }

            if (cells[4] != IncidentKinds.NoAlert && !AlertConditions.TryParse(cells[4], out _))
            {
                throw new FormatException($"{path}:{lineNumber}: expected_condition '{cells[4]}' is neither an alert condition nor 'none'");
            }

            entries.Add(new TruthEntry(cells[0], cells[1], start, end, cells[4]));
        }

        return sawHeader ? entries : throw new FormatException($"{path}:{lineNumber}: the file is empty: expected the header '{Header}'");
    }
}
