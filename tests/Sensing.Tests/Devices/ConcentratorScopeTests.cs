using NUnit.Framework;
using Sensing.Core.Devices;

namespace Sensing.Tests.Devices;

public sealed class ConcentratorScopeTests
{
    private static DeviceInfo Device(string id, string district, DeviceKind kind = DeviceKind.GasMeter) => new(id, kind, district, 900, "");

    [Test]
    public void Serves_DistrictPrefixAndIdRules_MatchOnlyThoseDevices()
    {
        var scope = ConcentratorScope.Parse("district:d03|gm-01*|wf-000004");

        Assert.That(scope.Serves(Device("gm-000001", "d03")), Is.True, "district");
        Assert.That(scope.Serves(Device("gm-010001", "d01")), Is.True, "prefix");
        Assert.That(scope.Serves(Device("wf-000004", "d02", DeviceKind.WaterFlow)), Is.True, "id");
        Assert.That(scope.Serves(Device("gm-000002", "d01")), Is.False);
        Assert.That(scope.Serves(Device("wf-0000041", "d02", DeviceKind.WaterFlow)), Is.False, "an id rule is exact");
        Assert.That(scope.Serves(Device("gm-01cc", "d03", DeviceKind.Concentrator)), Is.False, "never another concentrator");
    }

    [TestCase("district:")]
    [TestCase("*")]
    [TestCase("gm 1")]
    [TestCase("district:d01||gm-1")]
    public void Parse_BadRule_ThrowsNamingIt(string rules)
    {
        var e = Assert.Throws<FormatException>(() => ConcentratorScope.Parse(rules));
        Assert.That(e!.Message, Does.StartWith("serves: rule"));
    }

    [Test]
    public void Read_ConcentratorWithoutServes_StopsNamingTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"registry-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(path, [DeviceRegistryFile.Header, "gm-1,gas-meter,d01,900,,qmax=6", "cc-d01,concentrator,d01,900,,"]);
            var e = Assert.Throws<FormatException>(() => DeviceRegistryFile.Read(path));
            Assert.That(e!.Message, Does.Contain(":3:").And.Contain("'serves'"));

            File.WriteAllLines(path, [DeviceRegistryFile.Header, "gm-1,gas-meter,d01,900,,qmax=6", "cc-d01,concentrator,d01,900,,serves=district:d01|gm-2*"]);
            var read = DeviceRegistryFile.Read(path);
            Assert.That(read[1].Kind, Is.EqualTo(DeviceKind.Concentrator));
            Assert.That(ConcentratorScope.Of(read[1]).Serves(read[0]), Is.True);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
