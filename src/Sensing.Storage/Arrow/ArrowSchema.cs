namespace Sensing.Storage.Arrow;

/// <summary>The column types the project's Arrow writer supports.</summary>
public enum ArrowColumnType
{
    /// <summary>UTF-8 strings (Arrow <c>Utf8</c>: int32 offsets and a data buffer).</summary>
    Utf8 = 0,

    /// <summary>Signed 64-bit integers (Arrow <c>Int</c>, bitWidth 64, signed).</summary>
    Int64 = 1,

    /// <summary>IEEE 754 doubles (Arrow <c>FloatingPoint</c>, precision DOUBLE).</summary>
    Float64 = 2,

    /// <summary>Unix milliseconds, UTC (Arrow <c>Timestamp</c>, unit MILLISECOND, timezone "UTC").</summary>
    TimestampMsUtc = 3,
}

/// <summary>One column of an Arrow schema.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Column type.</param>
/// <param name="Nullable">Whether the column may hold nulls.</param>
public sealed record ArrowField(string Name, ArrowColumnType Type, bool Nullable = true);

/// <summary>The columns of an Arrow stream, in order.</summary>
public sealed class ArrowSchema
{
    /// <summary>Creates a schema; names must be unique and non-empty.</summary>
    public ArrowSchema(params ArrowField[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Length == 0)
        {
            throw new ArgumentException("A schema needs at least one field.", nameof(fields));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (string.IsNullOrEmpty(field.Name) || !names.Add(field.Name) || !Enum.IsDefined(field.Type))
            {
                throw new ArgumentException($"Field '{field.Name}' is unnamed, repeated or of an unknown type.", nameof(fields));
            }
        }

        Fields = fields;
    }

    /// <summary>The columns.</summary>
    public IReadOnlyList<ArrowField> Fields { get; }

    /// <summary>The index of the column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column.</exception>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"No column '{name}'.", nameof(name));
    }
}
