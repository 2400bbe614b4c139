namespace Sensing.Feed.Auth;

/// <summary>
/// A fresh operator key and viewer key for a run on this machine (<c>sensing up</c>, tests): the keys themselves,
/// and the ring that accepts them.
/// </summary>
/// <param name="OperatorKey">Key of the "operator" entry.</param>
/// <param name="ViewerKey">Key of the "viewer" entry.</param>
public sealed record LocalApiKeys(string OperatorKey, string ViewerKey)
{
    /// <summary>Name of the operator entry.</summary>
    public const string OperatorName = "operator";

    /// <summary>Name of the viewer entry.</summary>
    public const string ViewerName = "viewer";

    /// <summary>Two new random keys.</summary>
    public static LocalApiKeys Create() => new(ApiKeyRing.NewKey(), ApiKeyRing.NewKey());

    /// <summary>The ring that accepts both keys.</summary>
    public ApiKeyRing Ring => ApiKeyRing.From(
    [
        new ApiKeyEntry(OperatorName, FeedRole.Operator, ApiKeyRing.Hash(OperatorKey)),
        new ApiKeyEntry(ViewerName, FeedRole.Viewer, ApiKeyRing.Hash(ViewerKey)),
    ]);

    /// <summary>Writes the keys file (hashes only) that <c>sensing feed --api-keys</c> reads.</summary>
    public void WriteFile(string path) => File.WriteAllLines(path,
    [
        "name,role,sha256",
        $"{OperatorName},operator,{ApiKeyRing.Hash(OperatorKey)}",
        $"{ViewerName},viewer,{ApiKeyRing.Hash(ViewerKey)}",
    ]);
}
