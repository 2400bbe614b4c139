using Sensing.Detection;

namespace Sensing.Rules.Schema;

/// <summary>One key a file sets: its path, its value as written back (<see cref="RuleValueText.Format"/>), its line.</summary>
internal sealed record RuleSetting(string Path, string Text, int Line, Func<DetectionOptions, DetectionOptions> Apply);

/// <summary>
/// The keys one part of a file sets: the top level (the city), or one override entry (<c>districts.d07</c>,
/// <c>kinds.gas-meter</c>, <c>devices.md-00042</c>). Applying it changes only those keys.
/// </summary>
internal sealed class RuleLayer(string path, int line)
{
    private readonly List<RuleSetting> _settings = [];

    /// <summary>Empty for the city, else the entry's path.</summary>
    public string Path { get; } = path;

    /// <summary>Line of the entry's name (0 for the city).</summary>
    public int Line { get; } = line;

    public IReadOnlyList<RuleSetting> Settings => _settings;

    /// <summary>The sections it sets keys in (<c>methane</c>, <c>water</c>, ...).</summary>
    public HashSet<string> Sections { get; } = new(StringComparer.Ordinal);

    public void Add(RuleSetting setting)
    {
        _settings.Add(setting);
        var relative = Path.Length == 0 ? setting.Path : setting.Path[(Path.Length + 1)..];
        var dot = relative.IndexOf('.', StringComparison.Ordinal);
        Sections.Add(dot < 0 ? relative : relative[..dot]);
    }

    /// <summary><paramref name="options"/> with this layer's keys set.</summary>
    public DetectionOptions Apply(DetectionOptions options)
    {
        foreach (var setting in _settings)
        {
            options = setting.Apply(options);
        }

        return options;
    }

    /// <summary>The line of the setting of <paramref name="path"/>, or 0.</summary>
    public int LineOf(string path) => _settings.Find(s => s.Path == path)?.Line ?? 0;
}
