namespace Sensing.Storage.Aggregation;

/// <summary>Sizing of <see cref="MinuteAggregator"/>'s flat arrays.</summary>
public sealed record MinuteAggregatorOptions
{
    /// <summary>12 metric slots per device, room for 1,024 devices before the first growth.</summary>
    public static MinuteAggregatorOptions Default { get; } = new();

    /// <summary>
    /// Distinct metrics aggregated per device and minute. The richest kinds report 8 (gas meter, EV charger) plus
    /// the gateway's <c>online</c>; 12 leaves room. Memory: 41 bytes per slot, so 12 slots are ~0.5 KB per device.
    /// </summary>
    public int SlotsPerDevice { get; init; } = 12;

    /// <summary>Devices the arrays hold before they first grow (they double when a larger device number appears).</summary>
    public int InitialDevices { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (SlotsPerDevice is < 1 or > 32)
        {
            throw new ArgumentException($"MinuteAggregatorOptions.SlotsPerDevice: {SlotsPerDevice} is not 1-32.", nameof(SlotsPerDevice));
        }

        if (InitialDevices < 1)
        {
            throw new ArgumentException($"MinuteAggregatorOptions.InitialDevices: {InitialDevices} must be positive.", nameof(InitialDevices));
        }
    }
}
