using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Detection;

namespace Sensing.Tests.Detection;

[TestFixture]
public sealed class DetectionOverridesTests
{
    private static DetectionEngine Engine(DetectionOverrides overrides) =>
        new(DetectionOptions.Default with { Overrides = overrides }, new DeviceRegistry(), new RecordingSink());

    [Test]
    public void Constructor_DeviceEntryClashesWithItsDistrictsEntry_ThrowsNamingBoth()
    {
        var overrides = new DetectionOverrides
        {
            Districts = new Dictionary<string, OptionsChange> { ["tunnel-1"] = o => o with { Methane = o.Methane with { Level1Lel = 40 } } },
            Devices = new Dictionary<string, OptionsChange> { ["md-1"] = o => o with { Methane = o.Methane with { Level2Lel = 35 } } },
        };

        Assert.That(() => Engine(overrides),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Districts[tunnel-1].Devices[md-1].Level2Lel")
                .And.Message.StartWith("Districts[tunnel-1].Devices[md-1].Level2Lel: must be above Level1Lel (40)"));
    }

    [Test]
    public void Constructor_EntriesChangingDifferentRecords_NoClash()
    {
        var overrides = new DetectionOverrides
        {
            Districts = new Dictionary<string, OptionsChange> { ["tunnel-1"] = o => o with { Methane = o.Methane with { Level1Lel = 40, Level2Lel = 60 } } },
            Devices = new Dictionary<string, OptionsChange> { ["md-1"] = o => o with { Health = o.Health with { LowBatteryVolts = 3.0 } } },
        };

        Assert.That(Engine(overrides).Options.Overrides, Is.SameAs(overrides));
    }

    [Test]
    public void Constructor_KindEntryChangesWater_ThrowsSayingWaterIsPerDistrict()
    {
        var overrides = new DetectionOverrides
        {
            Kinds = new Dictionary<DeviceKind, OptionsChange>
            {
                [DeviceKind.WaterPressure] = o => o with { Water = o.Water with { LowPressure = o.Water.LowPressure with { MinimumMpa = 0.2 } } },
            },
        };

        Assert.That(() => Engine(overrides),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Kinds[water-pressure].Water").And.Message.Contains("district"));
    }

    [Test]
    public void Constructor_DistrictEntryChangesLifecycle_ThrowsSayingItIsTheCitys()
    {
        var overrides = new DetectionOverrides
        {
            Districts = new Dictionary<string, OptionsChange> { ["d07"] = o => o with { Lifecycle = o.Lifecycle with { ChatterRaises = 4 } } },
        };

        Assert.That(() => Engine(overrides),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("Districts[d07].Lifecycle").And.Message.Contains("city"));
    }
}
