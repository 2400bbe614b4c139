using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;

namespace Sensing.Tests.Devices;

[TestFixture]
public sealed class TelemetryKeyTests
{
    [TestCase(DeviceKind.WaterPressure, "district/laoshan-3")]
    [TestCase(DeviceKind.WaterFlow, "district/laoshan-3")]
    [TestCase(DeviceKind.ReservoirLevel, "district/laoshan-3")]
    [TestCase(DeviceKind.RainGauge, "district/laoshan-3")]
    [TestCase(DeviceKind.GasMeter, "district/laoshan-3")]
    [TestCase(DeviceKind.MethaneDetector, "district/laoshan-3")]
    [TestCase(DeviceKind.EvCharger, "district/laoshan-3")]
    [TestCase(DeviceKind.SmokeAlarm, "district/laoshan-3")]
    public void TelemetryKeyUtf8_EveryKind_ItsDistrict(DeviceKind kind, string key)
    {
        var device = new DeviceInfo("dev-1", kind, "laoshan-3", 300, "");

        Assert.That(Encoding.UTF8.GetString(device.TelemetryKeyUtf8), Is.EqualTo(key));
        Assert.That(device.IdUtf8, Is.EqualTo("dev-1"u8.ToArray()), "the frame and other topics still carry the device id");
    }

    [Test]
    public void TelemetryKeyUtf8_NoDistrict_TheDeviceId()
    {
        var device = new DeviceInfo("gm-7", DeviceKind.GasMeter, "", 300, "");

        Assert.That(Encoding.UTF8.GetString(device.TelemetryKeyUtf8), Is.EqualTo("gm-7"));
    }

    [Test]
    public void TelemetryKeyUtf8_TwoDevicesOfOneDistrict_SameKey()
    {
        var a = new DeviceInfo("wp-1", DeviceKind.WaterPressure, "d7", 300, "");
        var b = new DeviceInfo("gm-9", DeviceKind.GasMeter, "d7", 300, "");
        var elsewhere = new DeviceInfo("wp-2", DeviceKind.WaterPressure, "d8", 300, "");

        Assert.That(a.TelemetryKeyUtf8, Is.EqualTo(b.TelemetryKeyUtf8));
        Assert.That(a.TelemetryKeyUtf8, Is.Not.EqualTo(elsewhere.TelemetryKeyUtf8));
    }
}
