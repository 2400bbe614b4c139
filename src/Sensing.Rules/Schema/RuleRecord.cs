using Sensing.Core.Devices;

namespace Sensing.Rules.Schema;

/// <summary>
/// The keys of one options record and the records nested in it, as they appear in a rules file (a YAML mapping).
/// Untyped, for reading and writing files; built through <see cref="RuleRecord{T}"/>.
/// </summary>
internal abstract class RuleRecord(string name, string comment)
{
    private readonly List<RuleKey> _keys = [];
    private readonly List<RuleChild> _children = [];

    /// <summary>The record's key in its parent (empty for the root).</summary>
    public string Name { get; } = name;

    /// <summary>What the record holds, written above it.</summary>
    public string Comment { get; } = comment;

    /// <summary>Its scalar keys, in file order.</summary>
    public IReadOnlyList<RuleKey> Keys => _keys;

    /// <summary>The records nested in it, in file order.</summary>
    public IReadOnlyList<RuleChild> Children => _children;

    /// <summary>The options property a camelCase key sets: <c>level1Lel</c> is <c>Level1Lel</c>.</summary>
    public static string PropertyOf(string key) => string.Concat(char.ToUpperInvariant(key[0]).ToString(), key.AsSpan(1));

    /// <summary>Runs the record's own range checks, if it has any (throws <see cref="ArgumentException"/> naming the property).</summary>
    public abstract void Validate(object record);

    /// <summary>The key named <paramref name="name"/>, or null.</summary>
    public RuleKey? Key(string name) => _keys.Find(k => k.Name == name);

    /// <summary>The nested record named <paramref name="name"/>, or null.</summary>
    public RuleChild? Child(string name) => _children.Find(c => c.Record.Name == name);

    /// <summary>The key for options property <paramref name="property"/>, or null.</summary>
    public RuleKey? KeyForProperty(string property) => _keys.Find(k => k.Property == property);

    /// <summary>The nested record for options property <paramref name="property"/>, or null.</summary>
    public RuleChild? ChildForProperty(string property) => _children.Find(c => PropertyOf(c.Record.Name) == property);

    /// <summary>Every key name and nested record name, for "unknown key" messages.</summary>
    public IEnumerable<string> Names => _keys.Select(k => k.Name).Concat(_children.Select(c => c.Record.Name));

    private protected void AddKey(RuleKey key)
    {
        EnsureNew(key.Name);
        _keys.Add(key);
    }

    private protected void AddChild(RuleChild child)
    {
        EnsureNew(child.Record.Name);
        _children.Add(child);
    }

    private void EnsureNew(string name)
    {
        if (Names.Contains(name, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"rules schema: {Name}.{name} declared twice");
        }
    }
}

/// <summary>
/// A record nested in another; for a section (a record nested in the root), where it may be set and the device kinds
/// it applies to (null: every kind).
/// </summary>
internal sealed class RuleChild(
    RuleRecord record, RuleScopes scopes, IReadOnlyList<DeviceKind>? kinds, Func<object, object> get, Func<object, object, object> set)
{
    /// <summary>The nested record's keys.</summary>
    public RuleRecord Record { get; } = record;

    /// <summary>Where it may be set (sections of the root only; nested records follow their section).</summary>
    public RuleScopes Scopes { get; } = scopes;

    /// <summary>The device kinds the section's detector examines, or null for every kind.</summary>
    public IReadOnlyList<DeviceKind>? Kinds { get; } = kinds;

    /// <summary>The nested record in <paramref name="parent"/>.</summary>
    public object Get(object parent) => get(parent);

    /// <summary><paramref name="parent"/> with the nested record replaced by <paramref name="value"/>.</summary>
    public object Set(object parent, object value) => set(parent, value);
}

/// <summary>Declares the keys of options record <typeparamref name="T"/> with typed accessors.</summary>
internal sealed class RuleRecord<T>(string name, string comment, Action<T>? validate = null) : RuleRecord(name, comment)
    where T : class
{
    /// <inheritdoc />
    public override void Validate(object record) => validate?.Invoke((T)record);

    public RuleRecord<T> Number(string key, Func<T, double> get, Func<T, double, T> set, string comment)
    {
        AddKey(new RuleKey(key, RuleValue.Number, comment, o => get((T)o), (o, v) => set((T)o, (double)v)));
        return this;
    }

    public RuleRecord<T> WholeNumber(string key, Func<T, int> get, Func<T, int, T> set, string comment, RuleScopes scopes = RuleScopes.All)
    {
        AddKey(new RuleKey(key, RuleValue.WholeNumber, comment, o => get((T)o), (o, v) => set((T)o, (int)v), scopes));
        return this;
    }

    public RuleRecord<T> Boolean(string key, Func<T, bool> get, Func<T, bool, T> set, string comment)
    {
        AddKey(new RuleKey(key, RuleValue.Boolean, comment, o => get((T)o), (o, v) => set((T)o, (bool)v)));
        return this;
    }

    public RuleRecord<T> Duration(string key, Func<T, TimeSpan> get, Func<T, TimeSpan, T> set, string comment)
    {
        AddKey(new RuleKey(key, RuleValue.Duration, comment, o => get((T)o), (o, v) => set((T)o, (TimeSpan)v)));
        return this;
    }

    public RuleRecord<T> TimeZone(string key, Func<T, TimeZoneInfo> get, Func<T, TimeZoneInfo, T> set, string comment)
    {
        AddKey(new RuleKey(key, RuleValue.TimeZone, comment, o => get((T)o), (o, v) => set((T)o, (TimeZoneInfo)v)));
        return this;
    }

    public RuleRecord<T> Text(string key, Func<T, string> get, Func<T, string, T> set, string comment)
    {
        AddKey(new RuleKey(key, RuleValue.Text, comment, o => get((T)o), (o, v) => set((T)o, (string)v)));
        return this;
    }

    /// <summary>
    /// Nests <paramref name="record"/> under its name; <paramref name="scopes"/> and <paramref name="kinds"/> matter for
    /// sections of the root.
    /// </summary>
    public RuleRecord<T> Record<TChild>(
        RuleRecord<TChild> record, Func<T, TChild> get, Func<T, TChild, T> set, RuleScopes scopes = RuleScopes.All, params DeviceKind[] kinds)
        where TChild : class
    {
        AddChild(new RuleChild(record, scopes, kinds.Length == 0 ? null : kinds, o => get((T)o), (o, v) => set((T)o, (TChild)v)));
        return this;
    }
}
