using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>One SELECT that reads a measurement directly (not a subquery): the measurement and every name it reads.</summary>
internal sealed record InfluxQlRead(string Measurement, IReadOnlySet<string> Names);

/// <summary>
/// The measurements, fields and tags an InfluxQL query reads, found without a full parser: every SELECT whose FROM
/// names a measurement (the innermost SELECTs of subqueries), with the identifiers of its field list (aliases left
/// out), its WHERE clause and its GROUP BY. Names an outer SELECT reads from a subquery are the subquery's columns,
/// not stored names, so they are not listed.
/// </summary>
internal static partial class InfluxQlNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "where", "group", "by", "fill", "none", "null", "previous", "linear", "time", "now", "limit", "slimit",
        "offset", "soffset", "order", "asc", "desc", "tz", "as", "true", "false",
    };

    public static IReadOnlyList<InfluxQlRead> Extract(string influxQl)
    {
        // String and regex literals hold values, not names.
        var text = Literal().Replace(influxQl, " '' ");
        var reads = new List<InfluxQlRead>();
        foreach (Match select in DirectSelect().Matches(text))
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            var fieldList = Alias().Replace(select.Groups["fields"].Value, " ");
            var clauses = Clauses(text, select.Index + select.Length);
            foreach (Match identifier in Identifier().Matches(fieldList + " " + clauses))
            {
                var name = identifier.Groups["quoted"].Success ? identifier.Groups["quoted"].Value : identifier.Groups["bare"].Value;
                if (identifier.Groups["quoted"].Success || !Keywords.Contains(name))
                {
                    names.Add(name);
                }
            }

            reads.Add(new InfluxQlRead(Unquote(select.Groups["measurement"].Value), names));
        }

        return reads;
    }

    // The rest of one SELECT: up to the ')' that closes the subquery it is in, or the end of the statement.
    private static string Clauses(string text, int start)
    {
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (depth < 0 || (depth == 0 && text[i] == ';'))
            {
                return text[start..i];
            }
        }

        return text[start..];
    }

    private static string Unquote(string identifier) =>
        identifier.StartsWith('"') ? identifier[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : identifier;

    // A SELECT whose field list holds no other SELECT or FROM and whose FROM is followed by a measurement name.
    [GeneratedRegex(@"\bSELECT\b(?<fields>(?:(?!\bSELECT\b|\bFROM\b).)+?)\bFROM\s+(?<measurement>""(?:[^""\\]|\\.)+""|[A-Za-z_][\w.]*)",
        RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DirectSelect();

    [GeneratedRegex(@"\bAS\s+(?:""(?:[^""\\]|\\.)*""|\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex Alias();

    // A quoted identifier, or a bare one that is not a function name (followed by '(') and does not start inside a
    // number or duration (10s, 1e-9).
    [GeneratedRegex(@"""(?<quoted>(?:[^""\\]|\\.)+)""|(?<![\w.])(?<bare>[A-Za-z_]\w*)(?![\w(]|\s*\()")]
    private static partial Regex Identifier();

    // '...' string literals and /.../ regex literals (after =~ or !~).
    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|(?<=[=!]~\s*)/(?:[^/\\]|\\.)*/")]
    private static partial Regex Literal();
}
