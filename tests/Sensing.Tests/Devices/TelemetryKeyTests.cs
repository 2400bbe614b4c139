using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;

namespace Sensing.Tests.Devices;

[TestFixture]
public sealed class TelemetryKeyTests
{
    [TestCase(DeviceKind.WaterPressure, "district/laoshan-3")]
    [TestCase(DeviceKind.WaterFlow, "district/laoshan-3")]
    [TestCase(DeviceKind.ReservoirLevel, "dev-1")]
    [TestCase(DeviceKind.RainGauge, "dev-1")]
    [TestCase(DeviceKind.GasMeter, "dev-1")]
    [TestCase(DeviceKind.MethaneDetector, "dev-1")]
    [TestCase(DeviceKind.EvCharger, "dev-1")]
    public void TelemetryKeyUtf8_ByKind_DistrictForDistrictRuleDevicesElseId(DeviceKind kind, string key)
    {
        var device = new DeviceInfo("dev-1", kind, "laoshan-3", 300, "");

        Assert.That(Encoding.UTF8.GetString(device.TelemetryKeyUtf8), Is.EqualTo(key));
        Assert.That(device.IdUtf8, Is.EqualTo("dev-1"u8.ToArray()), "the frame and other topics still carry the device id");
    }

    [Test]
    public void TelemetryKeyUtf8_TwoSensorsOfOneDistrict_SameKey()
    {
        var a = new DeviceInfo("wp-1", DeviceKind.WaterPressure, "d7", 300, "");
        var b = new DeviceInfo("wf-9", DeviceKind.WaterFlow, "d7", 300, "");
        var elsewhere = new DeviceInfo("wp-2", DeviceKind.WaterPressure, "d8", 300, "");

        Assert.That(a.TelemetryKeyUtf8, Is.EqualTo(b.TelemetryKeyUtf8));
        Assert.That(a.TelemetryKeyUtf8, Is.Not.EqualTo(elsewhere.TelemetryKeyUtf8));
    }
}
