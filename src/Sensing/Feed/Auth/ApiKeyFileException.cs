namespace Sensing.Feed.Auth;

/// <summary>A keys file that cannot be used; the message names the file, the line and the problem.</summary>
public sealed class ApiKeyFileException(string message) : Exception(message);
