namespace Sensing.Rules;

/// <summary>
/// A rules file that cannot be used: its message names the file, the line where known, the path of the key (e.g.
/// <c>districts.d07.water.nightFlow.gamma</c>) and the problem.
/// </summary>
public sealed class RulesFileException : Exception
{
    /// <summary>Creates the exception; <paramref name="line"/> 0 when no line applies.</summary>
    public RulesFileException(string file, int line, string key, string problem, Exception? inner = null)
        : base(Compose(file, line, key, problem), inner)
    {
        File = file;
        Line = line;
        Key = key;
        Problem = problem;
    }

    /// <summary>The file (as given).</summary>
    public string File { get; }

    /// <summary>The line of the key or the syntax error, 1-based; 0 when none applies (a value that clashes with another).</summary>
    public int Line { get; }

    /// <summary>The path of the key, dot-separated; empty for a file that is not YAML or cannot be read.</summary>
    public string Key { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    private static string Compose(string file, int line, string key, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return key.Length > 0 ? $"{where}: {key}: {problem}" : $"{where}: {problem}";
    }
}
