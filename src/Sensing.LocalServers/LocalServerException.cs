namespace Sensing.LocalServers;

/// <summary>
/// A local server could not be found, started, or did not become ready in time. The message names
/// the server and, when it ran, ends with the tail of its log file.
/// </summary>
public sealed class LocalServerException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public LocalServerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LocalServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public LocalServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
