namespace Sensing.Storage.Export.Internal;

/// <summary>
/// The rows of one slice of an export, joined from the store's series in flat arrays: per row its time, its tags
/// (numbers in a <see cref="LabelTable"/>), its values and a bit per value column that is present, about 70 bytes a
/// row with 5 values. A row is found by its time and key tags through an open-addressing table of row numbers (linear
/// probing, between a quarter and half full: 8 to 16 bytes a row more). Cleared between slices; the arrays keep the
/// largest slice's size.
/// </summary>
internal sealed class JoinedRows
{
    private readonly int _tags;
    private readonly int _keyTags;
    private readonly int _values;
    private readonly RowOrder _order;
    private long[] _time = [];
    private int[] _tag = [];
    private double[] _value = [];
    private int[] _present = [];
    private int[] _sorted = [];

    // Row number + 1 of each occupied slot, 0 for a free one; the length is a power of two.
    private int[] _slots = [];

    public JoinedRows(ExportLayout layout)
    {
        _tags = layout.TagCount;
        _keyTags = layout.KeyTags;
        _values = layout.ValueIsCount.Length;
        _order = new RowOrder(this, layout.SortTags);
    }

    /// <summary>Rows in the slice.</summary>
    public int Count { get; private set; }

    /// <summary>The row of <paramref name="time"/> and <paramref name="tags"/>, added (with no values) if new.</summary>
    public int Row(long time, ReadOnlySpan<int> tags)
    {
        if (2 * (Count + 1) > _slots.Length)
        {
            GrowSlots();
        }

        var mask = _slots.Length - 1;
        var slot = Hash(time, tags) & mask;
        while (_slots[slot] != 0)
        {
            var found = _slots[slot] - 1;
            if (_time[found] == time && tags[.._keyTags].SequenceEqual(_tag.AsSpan(found * _tags, _keyTags)))
            {
                return found;
            }

            slot = (slot + 1) & mask;
        }

        var row = Count;
        if (row == _time.Length)
        {
            Grow();
        }

        _time[row] = time;
        tags.CopyTo(_tag.AsSpan(row * _tags, _tags));
        _present[row] = 0;
        _slots[slot] = row + 1;
        Count++;
        return row;
    }

    /// <summary>Sets value column <paramref name="column"/> of <paramref name="row"/>.</summary>
    public void Set(int row, int column, double value)
    {
        _value[(row * _values) + column] = value;
        _present[row] |= 1 << column;
    }

    public long Time(int row) => _time[row];

    public int Tag(int row, int tag) => _tag[(row * _tags) + tag];

    /// <summary>Value column <paramref name="column"/> of <paramref name="row"/>, false when the store lacked it.</summary>
    public bool TryGetValue(int row, int column, out double value)
    {
        value = _value[(row * _values) + column];
        return (_present[row] & (1 << column)) != 0;
    }

    /// <summary>Orders the rows by time, then by the layout's sort tags; <see cref="RowAt"/> reads them in that order.</summary>
    public void Sort(LabelTable labels)
    {
        if (_sorted.Length < Count)
        {
            _sorted = new int[_time.Length];
        }

        for (var i = 0; i < Count; i++)
        {
            _sorted[i] = i;
        }

        labels.RankValues();
        _order.Labels = labels;
        _sorted.AsSpan(0, Count).Sort(_order);
    }

    /// <summary>The row at <paramref name="position"/> in sorted order.</summary>
    public int RowAt(int position) => _sorted[position];

    /// <summary>Empties the slice, keeping the arrays.</summary>
    public void Clear()
    {
        _slots.AsSpan().Clear();
        Count = 0;
    }

    private void Grow()
    {
        var rows = Math.Max(1024, _time.Length * 2);
        Array.Resize(ref _time, rows);
        Array.Resize(ref _tag, rows * _tags);
        Array.Resize(ref _value, rows * _values);
        Array.Resize(ref _present, rows);
    }

    private void GrowSlots()
    {
        _slots = new int[Math.Max(2048, _slots.Length * 2)];
        var mask = _slots.Length - 1;
        for (var row = 0; row < Count; row++)
        {
            var slot = Hash(_time[row], _tag.AsSpan(row * _tags, _tags)) & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = row + 1;
        }
    }

    private int Hash(long time, ReadOnlySpan<int> tags)
    {
        var hash = default(HashCode);
        hash.Add(time);
        foreach (var tag in tags[.._keyTags])
        {
            hash.Add(tag);
        }

        return hash.ToHashCode();
    }

    private sealed class RowOrder(JoinedRows rows, int[] sortTags) : IComparer<int>
    {
        public LabelTable Labels { get; set; } = null!;

        public int Compare(int x, int y)
        {
            var order = rows._time[x].CompareTo(rows._time[y]);
            for (var i = 0; order == 0 && i < sortTags.Length; i++)
            {
                order = Labels.Rank(rows.Tag(x, sortTags[i])).CompareTo(Labels.Rank(rows.Tag(y, sortTags[i])));
            }

            return order;
        }
    }
}
