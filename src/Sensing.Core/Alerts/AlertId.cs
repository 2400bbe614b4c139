using System.Text;

namespace Sensing.Core.Alerts;

/// <summary>
/// Deterministic alert ids: the same (source, condition, raise event time) always gives the same id, so a
/// replay or a restart that re-derives an alert never creates a second one (DOMAIN.md, alarm management).
/// </summary>
public static class AlertId
{
    // FNV-1a 64-bit parameters (offset basis and prime from the FNV reference).
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The id of the alert on <paramref name="source"/> for <paramref name="condition"/> raised at <paramref name="raisedAtMs"/>.</summary>
    public static string Create(string source, AlertCondition condition, long raisedAtMs)
    {
        var hash = FnvOffset;
        foreach (var b in Encoding.UTF8.GetBytes(source))
        {
            hash = (hash ^ b) * FnvPrime;
        }

        hash = (hash ^ (byte)condition) * FnvPrime;
        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(raisedAtMs >> (8 * i))) * FnvPrime;
        }

        return "a-" + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
