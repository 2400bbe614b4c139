namespace Sensing.LocalServers.Internal;

/// <summary>
/// The folder that holds a server's configuration, data and logs: a fresh temp folder removed on
/// dispose (kept when SENSING_KEEP_SERVER_DIRS=1), or a folder the caller chose, which is never removed.
/// </summary>
internal sealed class ServerDirectory
{
    /// <summary>Set to 1 to keep temp folders (configs, data, logs) after dispose, for post-mortems.</summary>
    public const string KeepVariable = "SENSING_KEEP_SERVER_DIRS";

    private readonly bool _owned;

    private ServerDirectory(string path, bool owned)
    {
        Path = path;
        _owned = owned;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Uses <paramref name="chosen"/> when given, else creates /tmp/sensing-PREFIX-XXXXXX.</summary>
    public static ServerDirectory Create(string prefix, string? chosen)
    {
        if (chosen is not null)
        {
            return new ServerDirectory(Directory.CreateDirectory(chosen).FullName, owned: false);
        }

        return new ServerDirectory(Directory.CreateTempSubdirectory($"sensing-{prefix}-").FullName, owned: true);
    }

    /// <summary>A path inside the folder.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Removes the folder when it is a temp folder and keeping was not asked for; returns what happened.</summary>
    public string Remove()
    {
        if (!_owned)
        {
            return $"kept {Path} (chosen by the caller)";
        }

        if (Environment.GetEnvironmentVariable(KeepVariable) == "1")
        {
            return $"kept {Path} ({KeepVariable}=1)";
        }

        try
        {
            Directory.Delete(Path, recursive: true);
            return $"removed {Path}";
        }
        catch (IOException exception)
        {
            return $"could not remove {Path}: {exception.Message}";
        }
        catch (UnauthorizedAccessException exception)
        {
            return $"could not remove {Path}: {exception.Message}";
        }
    }
}
