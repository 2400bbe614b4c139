using System.Text.RegularExpressions;

namespace Sensing.IntegrationTests.Charts;

/// <summary>
/// The metric names a PromQL expression reads: bare names (<c>sensing_alert_value{...}</c>) and
/// <c>__name__</c> matchers. Function names, grouping labels, keywords, strings, durations and numbers are not names.
/// </summary>
internal static partial class PromQlMetricNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2",
    };

    private static readonly HashSet<string> LabelLists = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    /// <summary>Names read by <paramref name="expression"/>; <c>__name__=~"..."</c> regexes are returned apart.</summary>
    public static (IReadOnlySet<string> Names, IReadOnlySet<string> NamePatterns) Extract(string expression)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var patterns = new SortedSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(expression, i);
            }
            else if (c == '{')
            {
                var end = expression.IndexOf('}', i);
                foreach (Match m in NameMatcher().Matches(expression[i..end]))
                {
                    (m.Groups[1].Value == "=" ? names : patterns).Add(Regex.Unescape(m.Groups[2].Value));
                }

                i = end + 1;
            }
            else if (c == '[')
            {
                i = expression.IndexOf(']', i) + 1;
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] == '.'))
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var start = i;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '_' or ':'))
                {
                    i++;
                }

                var word = expression[start..i];
                var next = i;
                while (next < expression.Length && char.IsWhiteSpace(expression[next]))
                {
                    next++;
                }

                // "sum by (kind) (...)": an aggregation with its grouping written before its argument.
                var call = next < expression.Length && (expression[next] == '(' || GroupingClause().IsMatch(expression.AsSpan(next)));
                if (LabelLists.Contains(word) && call)
                {
                    i = expression.IndexOf(')', next) + 1; // a label list, not an expression
                }
                else if (!call && !Keywords.Contains(word))
                {
                    names.Add(word);
                }
            }
            else
            {
                i++;
            }
        }

        return (names, patterns);
    }

    /// <summary>
    /// The names a <c>__name__</c> regex spells out, when it is a plain alternation such as
    /// <c>sensing_reading_(lel|flow)</c>; null when it is an open pattern (<c>sensing_reading_.+</c>).
    /// </summary>
    public static IReadOnlyList<string>? SpelledOut(string pattern)
    {
        var m = PlainAlternation().Match(pattern);
        if (!m.Success)
        {
            return PlainName().IsMatch(pattern) ? [pattern] : null;
        }

        return [.. m.Groups["alternatives"].Value.Split('|').Select(a => m.Groups["prefix"].Value + a + m.Groups["suffix"].Value)];
    }

    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    [GeneratedRegex(@"__name__\s*(=~|=)\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex NameMatcher();

    [GeneratedRegex(@"^(by|without)\s*\(")]
    private static partial Regex GroupingClause();

    [GeneratedRegex(@"^(?<prefix>[a-zA-Z_:][a-zA-Z0-9_:]*)\((?<alternatives>[a-zA-Z0-9_:]+(?:\|[a-zA-Z0-9_:]+)*)\)(?<suffix>[a-zA-Z0-9_:]*)$")]
    private static partial Regex PlainAlternation();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex PlainName();
}
