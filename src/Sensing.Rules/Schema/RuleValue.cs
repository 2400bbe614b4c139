namespace Sensing.Rules.Schema;

/// <summary>What a key holds, and so how its YAML scalar is read and written (<see cref="RuleValueText"/>).</summary>
internal enum RuleValue
{
    /// <summary>A number, e.g. <c>0.14</c>.</summary>
    Number,

    /// <summary>A whole number, e.g. <c>3</c>.</summary>
    WholeNumber,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A duration, e.g. <c>30s</c>, <c>5m</c>, <c>1h30m</c> (<see cref="DurationText"/>).</summary>
    Duration,

    /// <summary>An IANA time zone name, e.g. <c>Europe/Berlin</c>.</summary>
    TimeZone,

    /// <summary>Text for people to read, e.g. a response text; written double-quoted.</summary>
    Text,
}

/// <summary>Where a section may be set: for the whole city, and in which override entries.</summary>
[Flags]
internal enum RuleScopes
{
    /// <summary>At the top level of the file.</summary>
    City = 1,

    /// <summary>In a <c>districts.NAME</c> entry.</summary>
    District = 2,

    /// <summary>In a <c>kinds.KIND</c> entry.</summary>
    Kind = 4,

    /// <summary>In a <c>devices.ID</c> entry.</summary>
    Device = 8,

    /// <summary>Everywhere.</summary>
    All = City | District | Kind | Device,
}
