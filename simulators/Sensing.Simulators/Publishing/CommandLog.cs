using System.Globalization;
using System.Text;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// The devices' own record of the downlink: one text line per command PUBLISH a device received, written by the
/// publishing side and read by a checker that balances it against <c>sensing.commands</c>. A line is the command id,
/// the device id, the command name and <c>first</c> or <c>repeat</c> (a command id the device had already received:
/// a QoS 1 redelivery, which the device does not act on again), separated by tabs. Lines are flushed as written, so a
/// reader sees every command received so far. Safe to call from any thread.
/// </summary>
public sealed class CommandLog : IDisposable
{
    private const string First = "first", Repeat = "repeat";

    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();
    private long _entries;

    /// <summary>Creates (or overwrites) the log at <paramref name="path"/>.</summary>
    public CommandLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <summary>Lines written.</summary>
    public long Entries => Interlocked.Read(ref _entries);

    /// <summary>Records that device <paramref name="device"/> received command <paramref name="commandId"/>.</summary>
    public void Add(string commandId, string device, string command, bool repeat)
    {
        ArgumentNullException.ThrowIfNull(commandId);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(command);
        lock (_lock)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Clean(commandId)}\t{Clean(device)}\t{Clean(command)}\t{(repeat ? Repeat : First)}"));
            _writer.Flush();
            Interlocked.Increment(ref _entries);
        }
    }

    /// <summary>Reads every entry of a log written by <see cref="CommandLog"/> (a partly written last line is left out).</summary>
    public static IEnumerable<CommandLogEntry> Read(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split('\t');
            if (fields.Length == 4 && fields[3] is First or Repeat)
            {
                yield return new CommandLogEntry(fields[0], fields[1], fields[2], fields[3] == Repeat);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }

    // A field never holds the separators.
    private static string Clean(string field) => field.AsSpan().IndexOfAny('\t', '\n', '\r') < 0 ? field : field.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}

/// <summary>One command a device received, as <see cref="CommandLog"/> records it.</summary>
/// <param name="CommandId">The command's id (<c>DeviceCommand.Id</c>).</param>
/// <param name="Device">The device that received it.</param>
/// <param name="Command">The command's name, e.g. <c>valve-close</c>.</param>
/// <param name="Repeat">True when the device had received this id before (it did not act again).</param>
public readonly record struct CommandLogEntry(string CommandId, string Device, string Command, bool Repeat);
