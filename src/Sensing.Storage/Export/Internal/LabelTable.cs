namespace Sensing.Storage.Export.Internal;

/// <summary>
/// The distinct label values of one slice of an export, each stored once and named by a dense number; number 0 is
/// the empty string (a label the series lacks). Looking up a value already seen allocates nothing.
/// </summary>
internal sealed class LabelTable
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _values = [""];
    private int[] _ranks = [];

    public LabelTable() => _lookup = _numbers.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Distinct values, the empty one included.</summary>
    public int Count => _values.Count;

    /// <summary>The value numbered <paramref name="number"/>.</summary>
    public string this[int number] => _values[number];

    /// <summary>The number of <paramref name="value"/>, added if new.</summary>
    public int Intern(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out var number))
        {
            return number;
        }

        number = _values.Count;
        var text = value.ToString();
        _values.Add(text);
        _numbers.Add(text, number);
        return number;
    }

    /// <summary>
    /// Ranks every value in ordinal order, so rows sort by comparing <see cref="Rank"/>s instead of strings. Call
    /// after the last <see cref="Intern"/> of the slice.
    /// </summary>
    public void RankValues()
    {
        var order = new int[_values.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        order.AsSpan().Sort((a, b) => string.CompareOrdinal(_values[a], _values[b]));
        if (_ranks.Length < order.Length)
        {
            _ranks = new int[order.Length];
        }

        for (var rank = 0; rank < order.Length; rank++)
        {
            _ranks[order[rank]] = rank;
        }
    }

    /// <summary>The ordinal rank of the value numbered <paramref name="number"/> (after <see cref="RankValues"/>).</summary>
    public int Rank(int number) => _ranks[number];

    /// <summary>Forgets every value but the empty one.</summary>
    public void Clear()
    {
        _numbers.Clear();
        _numbers[""] = 0;
        _values.Clear();
        _values.Add("");
    }
}
