using System.Globalization;
using System.Text;

namespace Sensing.Simulators.Replay;

/// <summary>
/// Reads recorded data in long (<c>timestamp,sensor,value[,received]</c>) or wide (<c>timestamp,&lt;sensor&gt;...</c>)
/// CSV, streaming. Fields are not quoted. A bad line stops the read with <see cref="FormatException"/> naming the
/// file, the line number and the problem.
/// </summary>
public static class RecordingReader
{
    /// <summary>Reads every value of the file, in file order.</summary>
    public static IEnumerable<RecordedRow> Read(string path, RecordingFormat format)
    {
        if (!File.Exists(path))
        {
            throw new FormatException($"recording '{path}' does not exist");
        }

        return format == RecordingFormat.Long ? ReadLong(path) : ReadWide(path);
    }

    private static IEnumerable<RecordedRow> ReadLong(string path)
    {
        // One string per sensor name, not one per line.
        var names = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var lineNumber = 0;
        var columns = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (columns == 0)
            {
                var header = line.Trim().ToLowerInvariant();
                columns = header switch
                {
                    "timestamp,sensor,value" => 3,
                    "timestamp,sensor,value,received" => 4,
                    _ => throw Error(path, lineNumber, "expected the header 'timestamp,sensor,value' (optionally ',received')"),
                };
                continue;
            }

            yield return ParseLong(line, columns, path, lineNumber, names);
        }

        if (columns == 0)
        {
            throw Error(path, lineNumber, "the file is empty: expected the header 'timestamp,sensor,value'");
        }
    }

    private static RecordedRow ParseLong(
        string line, int columns, string path, int lineNumber, Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> names)
    {
        CheckUnquoted(line, path, lineNumber);
        var span = line.AsSpan();
        Span<Range> parts = stackalloc Range[6];
        var found = span.Split(parts, ',');
        if (found != columns && !(columns == 4 && found == 3))
        {
            throw Error(path, lineNumber, $"expected {columns} columns, found {found}");
        }

        var time = Time(span[parts[0]], path, lineNumber, "timestamp");
        var sensor = span[parts[1]].Trim();
        if (sensor.IsEmpty)
        {
            throw Error(path, lineNumber, "the sensor name is empty");
        }

        var value = Number(span[parts[2]], path, lineNumber, "value");
        var received = found == 4 && !span[parts[3]].Trim().IsEmpty ? Time(span[parts[3]], path, lineNumber, "received") : time;
        if (!names.TryGetValue(sensor, out var name))
        {
            name = sensor.ToString();
            names[sensor] = name;
        }

        return new RecordedRow(time, received, name, value, lineNumber);
    }

    private static IEnumerable<RecordedRow> ReadWide(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var lineNumber = 0;
        string[]? sensors = null;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            CheckUnquoted(line, path, lineNumber);
            var cells = line.Split(',');
            if (sensors is null)
            {
                if (cells.Length < 2 || !cells[0].Trim().Equals("timestamp", StringComparison.OrdinalIgnoreCase))
                {
                    throw Error(path, lineNumber, "expected the header 'timestamp,<sensor>,<sensor>...'");
                }

                sensors = [.. cells.Skip(1).Select(c => c.Trim())];
                var empty = Array.FindIndex(sensors, s => s.Length == 0);
                if (empty >= 0)
                {
                    throw Error(path, lineNumber, $"column {empty + 2} has no sensor name");
                }

                continue;
            }

            if (cells.Length != sensors.Length + 1)
            {
                throw Error(path, lineNumber, $"expected {sensors.Length + 1} columns, found {cells.Length}");
            }

            var time = Time(cells[0], path, lineNumber, "timestamp");
            for (var i = 0; i < sensors.Length; i++)
            {
                if (!string.IsNullOrWhiteSpace(cells[i + 1]))
                {
                    yield return new RecordedRow(time, time, sensors[i], Number(cells[i + 1], path, lineNumber, $"value of '{sensors[i]}'"), lineNumber);
                }
            }
        }

        if (sensors is null)
        {
            throw Error(path, lineNumber, "the file is empty: expected the header 'timestamp,<sensor>,<sensor>...'");
        }
    }

    private static long Time(ReadOnlySpan<char> cell, string path, int lineNumber, string what) =>
        CsvTime.TryParse(cell, out var ms) ? ms : throw Error(path, lineNumber, $"{what} '{cell.Trim()}' is not Unix ms or ISO 8601");

    private static double Number(ReadOnlySpan<char> cell, string path, int lineNumber, string what) =>
        double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(path, lineNumber, $"{what} '{cell.Trim()}' is not a finite number");

    private static void CheckUnquoted(string line, string path, int lineNumber)
    {
        if (line.Contains('"', StringComparison.Ordinal))
        {
            throw Error(path, lineNumber, "quoted fields are not supported");
        }
    }

    private static FormatException Error(string path, int lineNumber, string problem) => new($"{path}:{lineNumber}: {problem}");
}
