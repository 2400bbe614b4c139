using System.Globalization;

namespace Sensing.Simulators.City;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of a city, so several simulator processes (each below its open-files
/// limit) publish one city between them: device <c>i</c> belongs to shard <c>i % Count</c>, except that a device behind
/// concentrator <c>c</c> belongs with it to shard <c>c % Count</c>. Every process builds the
/// whole city from the same options and seed (the same registry, incidents and ground truth) and publishes only the
/// devices of its shard; a device's readings depend on nothing but its own state, so the shards together publish
/// exactly the readings one process would. Interleaving by index gives every shard the same kind mix.
/// </summary>
/// <param name="Index">This shard, 0 to <see cref="Count"/> - 1.</param>
/// <param name="Count">Shards the city is split into.</param>
public sealed record CityShard(int Index, int Count)
{
    /// <summary>The whole city in one process.</summary>
    public static CityShard Whole { get; } = new(0, 1);

    /// <summary>True when this is the whole city.</summary>
    public bool IsWhole => Count == 1;

    /// <summary>True when device <paramref name="deviceIndex"/> (its <see cref="CityDevice.Index"/>) is in this shard.</summary>
    public bool Contains(int deviceIndex) => deviceIndex % Count == Index;

    /// <summary>True when concentrator <paramref name="concentratorIndex"/> (in <see cref="CityModel.Concentrators"/>) is in this shard.</summary>
    public bool ContainsConcentrator(int concentratorIndex) => concentratorIndex % Count == Index;

    /// <summary>
    /// True when <paramref name="device"/> is published by this shard: a device behind a concentrator goes with its
    /// concentrator (one connection, so one process), every other device by its index.
    /// </summary>
    public bool Contains(CityDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Concentrator >= 0 ? ContainsConcentrator(device.Concentrator) : Contains(device.Index);
    }

    /// <summary>Devices of <paramref name="city"/> in this shard.</summary>
    public int DeviceCount(CityModel city)
    {
        ArgumentNullException.ThrowIfNull(city);
        return city.Devices.Count(Contains);
    }

    /// <summary>Parses <c>i/n</c> (<c>0/4</c> is the first of four); throws <see cref="ArgumentException"/> naming <paramref name="option"/>.</summary>
    public static CityShard Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new ArgumentException($"{option}: '{text}' is not i/n (0/2 and 1/2 split a city over two processes)");
        }

        return new CityShard(index, count).Validate(option);
    }

    /// <summary>Checks the shard; throws naming <paramref name="option"/>.</summary>
    public CityShard Validate(string option = "shard")
    {
        if (Count is < 1 or > 1_000)
        {
            throw new ArgumentException($"{option}: the shard count must be 1-1000, was {Count}");
        }

        if (Index < 0 || Index >= Count)
        {
            throw new ArgumentException($"{option}: the shard index must be 0-{Count - 1} (shards are numbered from 0), was {Index}");
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
