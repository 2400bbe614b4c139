using NUnit.Framework;
using Sensing.Core.Devices;
using Sensing.Simulators.City;

namespace Sensing.Tests.Simulators;

public sealed class CityConcentratorTests
{
    [Test]
    public void Create_Default_GasMetersOfTheFirstQuarterOfDistrictsAreBehindTheirDistrictsConcentrator()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 800, Districts = 8 });

        Assert.That(city.Concentrators.Select(c => c.Info.Id), Is.EqualTo(new[] { "cc-d01", "cc-d02" }));
        foreach (var device in city.Devices)
        {
            var behind = device.Info.Kind == DeviceKind.GasMeter && device.District < 2;
            Assert.That(device.Concentrator >= 0, Is.EqualTo(behind), device.Info.Id);
            if (behind)
            {
                var concentrator = city.Concentrators[device.Concentrator];
                Assert.That(concentrator.District, Is.EqualTo(device.District));
                Assert.That(ConcentratorScope.Of(concentrator.Info).Serves(device.Info), Is.True);
                Assert.That(device.Persistent, Is.False);
            }
        }
    }

    [Test]
    public void WriteRegistry_IncludesConcentratorsThatTheGatewayLoads()
    {
        var city = CityModel.Create(CityOptions.Default with
        {
            Devices = 200, Districts = 4, ConcentratorKinds = new HashSet<DeviceKind> { DeviceKind.GasMeter, DeviceKind.MethaneDetector }, ConcentratorDistrictShare = 1,
        });
        var path = Path.Combine(Path.GetTempPath(), $"registry-{Guid.NewGuid():N}.csv");
        try
        {
            city.WriteRegistry(path);
            var registry = DeviceRegistry.Load(path);

            Assert.That(registry.Count, Is.EqualTo(city.Devices.Count + 4));
            Assert.That(registry.TryFind("cc-d03", out var concentrator), Is.True);
            Assert.That(concentrator!.Kind, Is.EqualTo(DeviceKind.Concentrator));
            Assert.That(concentrator.SecretSha256, Is.EqualTo(DeviceRegistryFile.HashSecret(city.Concentrators[2].Password)));
            Assert.That(city.Devices.Count(d => d.Concentrator >= 0), Is.EqualTo(city.Devices.Count(d => d.Info.Kind is DeviceKind.GasMeter or DeviceKind.MethaneDetector)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Create_NoConcentratorDistricts_HasNone()
    {
        var city = CityModel.Create(CityOptions.Default with { Devices = 200, ConcentratorDistrictShare = 0 });

        Assert.That(city.Concentrators, Is.Empty);
        Assert.That(city.Devices.Where(d => d.Concentrator >= 0), Is.Empty);
    }
}
