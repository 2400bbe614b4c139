namespace Sensing.Rules.Schema;

/// <summary>
/// One key of a rules file: the camelCase name of an options property (so <c>level1Lel</c> is
/// <c>MethaneDetectorOptions.Level1Lel</c>), what it holds, the comment <c>sensing rules defaults</c> writes above it,
/// and how to read it from and set it on its record (untyped; the typed side is <see cref="RuleRecord{T}"/>).
/// </summary>
internal sealed class RuleKey(
    string name, RuleValue value, string comment, Func<object, object> get, Func<object, object, object> set, RuleScopes scopes = RuleScopes.All)
{
    /// <summary>The key, camelCase.</summary>
    public string Name { get; } = name;

    /// <summary>The options property it sets, as named in the options' range-check messages.</summary>
    public string Property { get; } = RuleRecord.PropertyOf(name);

    /// <summary>What the value is.</summary>
    public RuleValue Value { get; } = value;

    /// <summary>Where the key may be set, within what its section allows (a district's threshold: not per kind or device).</summary>
    public RuleScopes Scopes { get; } = scopes;

    /// <summary>What the key means, its unit and its range.</summary>
    public string Comment { get; } = comment;

    /// <summary>The key's value in <paramref name="record"/>.</summary>
    public object Get(object record) => get(record);

    /// <summary><paramref name="record"/> with the key set to <paramref name="value"/>.</summary>
    public object Set(object record, object value) => set(record, value);
}
