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
    public void WriteThenRead_WithCoordinates_KeepsThemToSixDecimals()
    {
        var located = new DeviceInfo("gm-1", DeviceKind.GasMeter, "d01", 900, "")
        {
            Parameters = DeviceParameters.Parse("qmax=6"), Latitude = 30.274112, Longitude = -120.155123,
        };
        var unlocated = new DeviceInfo("md-2", DeviceKind.MethaneDetector, "d01", 30, "");

        DeviceRegistryFile.Write(_path, [located, unlocated]);
        var lines = File.ReadAllLines(_path);
        var read = DeviceRegistryFile.Read(_path);

        Assert.That(lines[0], Is.EqualTo(DeviceRegistryFile.HeaderWithLocation));
        Assert.That(lines[1], Does.EndWith(",qmax=6,30.274112,-120.155123"));
        Assert.That(lines[2], Does.EndWith(",,,"));
        Assert.That(read[0].Latitude, Is.EqualTo(30.274112));
        Assert.That(read[0].Longitude, Is.EqualTo(-120.155123));
        Assert.That(read[0], Is.EqualTo(located));
        Assert.That(read[0].Parameters.GetDouble("qmax", 0), Is.EqualTo(6), "the params column stays the params column");
        Assert.That(read[1].HasLocation, Is.False);
        Assert.That(read[1].Latitude, Is.Null);
    }

    [Test]
    public void FormatLineThenParseLine_WithCoordinatesAndRevoked_KeepsBoth()
    {
        var device = new DeviceInfo("cc-1", DeviceKind.Concentrator, "d01", 900, "")
        {
            Parameters = DeviceParameters.Parse("serves=district:d01"), Latitude = 52.5, Longitude = 13.4, Revoked = true,
        };

        var line = DeviceRegistryFile.FormatLine(device);
        var parsed = DeviceRegistryFile.ParseLine(line, "topic");

        Assert.That(line, Is.EqualTo("cc-1,concentrator,d01,900,,serves=district:d01,52.5,13.4,revoked"));
        Assert.That(parsed, Is.EqualTo(device));
        Assert.That(DeviceRegistryFile.FormatLine(device with { Latitude = null, Longitude = null, Revoked = false }), Is.EqualTo("cc-1,concentrator,d01,900,,serves=district:d01"));
    }

    [TestCase("91,13.4", "lat '91' is not a latitude")]
    [TestCase("52.5,", "lon '' is not a longitude")]
    [TestCase("52.5,east", "lon 'east' is not a longitude")]
    public void Read_BadCoordinates_StopsWithLineAndProblem(string coordinates, string expected)
    {
        File.WriteAllLines(_path, [DeviceRegistryFile.HeaderWithLocation, $"md-1,methane-detector,d01,30,,,{coordinates}"]);

        var error = Assert.Throws<FormatException>(() => DeviceRegistryFile.Read(_path));

        Assert.That(error!.Message, Does.Contain(":2: " + expected));
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
