using System.Text;

namespace Sensing.LocalServers.Internal;

/// <summary>Reads a server's log file: its tail for error messages, and what was appended since an offset.</summary>
internal static class LogTail
{
    /// <summary>The last <paramref name="lines"/> lines of the file, formatted to append to an exception message.</summary>
    public static string Format(string path, int lines = 40)
    {
        string[] tail = ReadLastLines(path, lines);
        return tail.Length == 0
            ? $"{Environment.NewLine}(log {path} is empty)"
            : $"{Environment.NewLine}Last lines of {path}:{Environment.NewLine}{string.Join(Environment.NewLine, tail)}";
    }

    /// <summary>The text appended to the file since <paramref name="offset"/> (empty when there is none).</summary>
    public static string ReadFrom(string path, long offset)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= offset)
        {
            return "";
        }

        stream.Position = offset;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The current length of the file, 0 when it does not exist yet.</summary>
    public static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string[] ReadLastLines(string path, int lines)
    {
        // 64 KiB holds far more than 40 log lines; reading only the end keeps this cheap on big logs.
        const int TailBytes = 64 * 1024;
        long length = Length(path);
        string text = ReadFrom(path, Math.Max(0, length - TailBytes));
        string[] all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return all[Math.Max(0, all.Length - lines)..];
    }
}
