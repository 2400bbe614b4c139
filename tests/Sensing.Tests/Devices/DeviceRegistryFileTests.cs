using NUnit.Framework;
using Sensing.Core.Devices;

namespace Sensing.Tests.Devices;

public sealed class DeviceRegistryFileTests
{
    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"registry-{Guid.NewGuid():N}.csv");

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void WriteThenRead_KeepsEveryFieldAndParameter()
    {
        var meter = new DeviceInfo("gm-1", DeviceKind.GasMeter, "d01", 900, DeviceRegistryFile.HashSecret("pw"))
        {
            Parameters = DeviceParameters.Parse("qmax=6; low_battery_v=3.2"),
        };
        var gauge = new DeviceInfo("rg-1", DeviceKind.RainGauge, "d02", 300, "");

        DeviceRegistryFile.Write(_path, [meter, gauge]);
        var read = DeviceRegistryFile.Read(_path);

        Assert.That(read, Has.Count.EqualTo(2));
        Assert.That(read[0].Id, Is.EqualTo("gm-1"));
        Assert.That(read[0].Kind, Is.EqualTo(DeviceKind.GasMeter));
        Assert.That(read[0].SecretSha256, Is.EqualTo(meter.SecretSha256));
        Assert.That(read[0].Parameters.GetDouble("qmax", 0), Is.EqualTo(6));
        Assert.That(read[0].Parameters.GetDouble("low_battery_v", 0), Is.EqualTo(3.2));
        Assert.That(read[1].Parameters.Count, Is.Zero);
        Assert.That(File.ReadAllLines(_path)[1], Does.EndWith(",low_battery_v=3.2;qmax=6"));
    }

    [Test]
    public void Read_FileWithoutParamsColumn_Loads()
    {
        File.WriteAllLines(_path, [DeviceRegistryFile.HeaderWithoutParams, "md-1,methane-detector,d01,30,"]);

        var read = DeviceRegistryFile.Read(_path);

        Assert.That(read.Single().Kind, Is.EqualTo(DeviceKind.MethaneDetector));
        Assert.That(read.Single().Parameters.Count, Is.Zero);
    }

    [TestCase("qmax", "params: parameter 'qmax' is not name=value")]
    [TestCase("Qmax=6", "params: parameter name 'Qmax' is not lower snake_case")]
    [TestCase("qmax=6;qmax=7", "params: parameter 'qmax' is given twice")]
    public void Read_BadParams_StopsWithLineAndProblem(string parameters, string expected)
    {
        File.WriteAllLines(_path, [DeviceRegistryFile.Header, $"gm-1,gas-meter,d01,900,,{parameters}"]);

        var error = Assert.Throws<FormatException>(() => DeviceRegistryFile.Read(_path));

        Assert.That(error!.Message, Does.Contain(":2: " + expected));
    }

    [Test]
    public void GetDouble_NotANumber_NamesTheParameter()
    {
        var parameters = DeviceParameters.Parse("qmax=lots");

        var error = Assert.Throws<FormatException>(() => parameters.GetDouble("qmax", 0));

        Assert.That(error!.Message, Does.Contain("'qmax'").And.Contain("'lots'"));
    }
}
