using System.Globalization;

namespace Sensing.IntegrationTests.Up;

/// <summary>
/// The line <c>sensing up</c> ends its summary with, <c>result key=value key=value ...</c>, read by the city tests: a
/// missing key fails the test naming it.
/// </summary>
internal sealed class UpResult
{
    private readonly Dictionary<string, string> _fields;

    private UpResult(Dictionary<string, string> fields) => _fields = fields;

    /// <summary>No run read yet.</summary>
    public static UpResult None { get; } = new([]);

    /// <summary>Reads a <c>result ...</c> line.</summary>
    public static UpResult Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new UpResult(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f.Length > 1 ? f[1] : ""));
    }

    /// <summary>The value of <paramref name="name"/> as printed.</summary>
    public string Field(string name) =>
        _fields.TryGetValue(name, out var value) ? value : throw new AssertionException($"no {name} in the result line");

    /// <summary>The value of <paramref name="name"/>, a whole number.</summary>
    public long Long(string name) => long.Parse(Field(name), CultureInfo.InvariantCulture);

    /// <summary>The value of <paramref name="name"/>, a number.</summary>
    public double Double(string name) => double.Parse(Field(name), CultureInfo.InvariantCulture);
}
