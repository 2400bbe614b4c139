using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sensing.Feed.Auth;

/// <summary>
/// The API keys the feed accepts, loaded from a CSV file of <c>name,role,sha256</c> lines (a header line
/// <c>name,role,sha256</c>, blank lines and <c>#</c> comments are allowed). Only hashes are kept: a presented key
/// is hashed and looked up.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly Dictionary<string, ApiKeyEntry> _byHash;

    private ApiKeyRing(Dictionary<string, ApiKeyEntry> byHash) => _byHash = byHash;

    /// <summary>A ring with no key: every request is refused.</summary>
    public static ApiKeyRing Empty { get; } = new(new Dictionary<string, ApiKeyEntry>(StringComparer.Ordinal));

    /// <summary>How many keys the ring holds.</summary>
    public int Count => _byHash.Count;

    /// <summary>Every key entry (names, roles, hashes).</summary>
    public IEnumerable<ApiKeyEntry> Entries => _byHash.Values;

    /// <summary>Reads a keys file; throws <see cref="ApiKeyFileException"/> naming the line and the problem.</summary>
    public static ApiKeyRing Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiKeyFileException($"api keys file {path}: cannot be read: {e.Message}");
        }

        return Parse(lines, path);
    }

    /// <summary>Parses keys-file lines; <paramref name="source"/> names the file in error messages.</summary>
    public static ApiKeyRing Parse(IReadOnlyList<string> lines, string source)
    {
        var byHash = new Dictionary<string, ApiKeyEntry>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // The header may stand only where the first key would (after comments and blank lines).
            var header = first && line.Equals("name,role,sha256", StringComparison.OrdinalIgnoreCase);
            first = false;
            if (header)
            {
                continue;
            }

            var entry = ParseLine(line, $"api keys file {source} line {i + 1}");
            if (!names.Add(entry.Name))
            {
                throw new ApiKeyFileException($"api keys file {source} line {i + 1}: name '{entry.Name}' appears twice");
            }

            if (!byHash.TryAdd(entry.Sha256Hex, entry))
            {
                throw new ApiKeyFileException($"api keys file {source} line {i + 1}: the same key hash is already given to '{byHash[entry.Sha256Hex].Name}'");
            }
        }

        return byHash.Count == 0
            ? throw new ApiKeyFileException($"api keys file {source}: no keys (expected lines of name,role,sha256)")
            : new ApiKeyRing(byHash);
    }

    /// <summary>A ring holding exactly <paramref name="entries"/>.</summary>
    public static ApiKeyRing From(IEnumerable<ApiKeyEntry> entries) =>
        Parse([.. entries.Select(e => $"{e.Name},{RoleName(e.Role)},{e.Sha256Hex}")], "(in memory)");

    /// <summary>The key entry for a presented key, or null when it is not one of ours.</summary>
    public ApiKeyEntry? Identify(string? presentedKey) =>
        string.IsNullOrEmpty(presentedKey) ? null : _byHash.GetValueOrDefault(Hash(presentedKey));

    /// <summary>Lower-case hex SHA-256 of a key's UTF-8 bytes, as the keys file holds it.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key: 32 bytes from the system's CSPRNG, base64url without padding.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The file form of a role.</summary>
    public static string RoleName(FeedRole role) => role switch
    {
        FeedRole.Admin => "admin",
        FeedRole.Operator => "operator",
        _ => "viewer",
    };

    private static ApiKeyEntry ParseLine(string line, string where)
    {
        var fields = line.Split(',');
        if (fields.Length != 3)
        {
            throw new ApiKeyFileException($"{where}: expected 3 fields name,role,sha256 but found {fields.Length}");
        }

        var name = fields[0].Trim();
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
        {
            throw new ApiKeyFileException($"{where}: name '{name}' must be 1-64 characters of letters, digits, '-', '_', '.', '@'");
        }

        var role = fields[1].Trim().ToLowerInvariant() switch
        {
            "viewer" => FeedRole.Viewer,
            "operator" => FeedRole.Operator,
            "admin" => FeedRole.Admin,
            var other => throw new ApiKeyFileException($"{where}: role '{other}' is not viewer, operator or admin"),
        };

        var hash = fields[2].Trim().ToLowerInvariant();
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
        {
            throw new ApiKeyFileException($"{where}: sha256 must be 64 hex digits (the SHA-256 of the key), not '{fields[2].Trim()}'");
        }

        return new ApiKeyEntry(name, role, hash.ToString(CultureInfo.InvariantCulture));
    }
}
