using System.Text;
using NUnit.Framework;
using Sensing.Core.Devices;

namespace Sensing.Tests.Devices;

[TestFixture]
public sealed class DeviceRegistryTests
{
    private static readonly string Secret = DeviceRegistryFile.HashSecret("pw-12345678");

    private static DeviceInfo Meter(string id, string district = "d01") =>
        new(id, DeviceKind.GasMeter, district, 900, Secret) { Parameters = DeviceParameters.Parse("qmax=6") };

    [Test]
    public void Apply_NewChangedAndRemoved_ReportsEachChangeOnce()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a"), Meter("b")]);
        IReadOnlyList<DeviceChange>? seen = null;
        registry.Changed += changes => seen = changes;

        var changes = registry.Apply([new DeviceUpdate("a", Meter("a", "d02")), new DeviceUpdate("b", null), new DeviceUpdate("c", Meter("c")), new DeviceUpdate("a", Meter("a", "d02"))]);

        Assert.That(changes.Select(c => (c.Number, c.Before?.District, c.After?.District)),
            Is.EqualTo(new[] { (0, "d01", "d02"), (1, "d01", (string?)null), (2, null, "d01") }));
        Assert.That(seen, Is.SameAs(changes));
        Assert.That(registry.Count, Is.EqualTo(3));
        Assert.That(registry.Active, Is.EqualTo(2));
        Assert.That(registry.TryFind("b", out _), Is.False);
        Assert.That(registry.TryFind("b"u8, out _), Is.False);
    }

    [Test]
    public void Apply_SameEntryAgain_ChangesNothingAndRaisesNothing()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a")]);
        var raised = 0;
        registry.Changed += _ => raised++;

        var changes = registry.Apply([new DeviceUpdate("a", Meter("a"))]);

        Assert.That(changes, Is.Empty);
        Assert.That(raised, Is.Zero);
    }

    [Test]
    public void Remove_ThenAddAgain_TheDeviceGetsItsNumberBack()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a"), Meter("b"), Meter("c")]);

        Assert.That(registry.Remove("b"), Is.True);
        Assert.That(registry.Remove("b"), Is.False, "removing twice changes nothing");
        Assert.That(registry[1].Id, Is.EqualTo("b"), "a removed device's number still names its last entry");
        registry.Upsert([Meter("d"), Meter("b")]);

        Assert.That(registry.TryFind("b"u8, out var number), Is.True);
        Assert.That(number, Is.EqualTo(1));
        Assert.That(registry.TryFind("d"u8, out var d), Is.True);
        Assert.That(d, Is.EqualTo(3), "numbers are never reused for another device");
    }

    [Test]
    public void Apply_AnotherKind_IsANewDeviceWithANewNumber()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a"), Meter("b")]);
        registry.Remove("b");

        var changes = registry.Apply([
            new DeviceUpdate("a", new DeviceInfo("a", DeviceKind.WaterPressure, "d01", 60, "")),
            new DeviceUpdate("b", new DeviceInfo("b", DeviceKind.MethaneDetector, "d01", 30, "")),
        ]);

        Assert.That(changes.Select(c => $"{c.Number}:{c.Before?.Kind}->{c.After?.Kind}"),
            Is.EqualTo(new[] { "0:GasMeter->", "2:->WaterPressure", "3:->MethaneDetector" }));
        Assert.That(registry.TryFind("a"u8, out var a) && a == 2, Is.True);
        Assert.That(registry[0].Kind, Is.EqualTo(DeviceKind.GasMeter), "the old number keeps its old entry");
    }

    [Test]
    public void Apply_BadIdInABatch_AppliesNothingOfIt()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a")]);

        Assert.That(() => registry.Apply([new DeviceUpdate("a", null), new DeviceUpdate("bad/id", Meter("bad/id"))]), Throws.ArgumentException);

        Assert.That(registry.TryFind("a", out _), Is.True, "the removal before the bad entry should not be applied");
    }

    [Test]
    public void Upsert_EqualDistrictsAndParameters_AreHeldOnce()
    {
        var registry = new DeviceRegistry();
        registry.Upsert([Meter("a", new string("d01".ToCharArray())), Meter("b", new string("d01".ToCharArray()))]);

        Assert.That(registry[0].District, Is.SameAs(registry[1].District));
        Assert.That(registry[0].Parameters, Is.SameAs(registry[1].Parameters));
    }

    [Test]
    public void Snapshot_ReadersKeepTheirView_WhileABatchIsApplied()
    {
        var registry = new DeviceRegistry();
        registry.Upsert(Enumerable.Range(0, 1000).Select(i => Meter($"m{i}")));
        var stop = false;
        var failures = 0;
        var reader = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                // A device once findable stays findable with an entry of its own id while others are added.
                if (!registry.TryFind("m500"u8, out var n) || registry[n].Id != "m500")
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        for (var batch = 0; batch < 50; batch++)
        {
            registry.Upsert(Enumerable.Range(0, 200).Select(i => Meter($"n{batch}-{i}")));
        }

        Volatile.Write(ref stop, true);
        reader.Wait();
        Assert.That(failures, Is.Zero);
        Assert.That(registry.Active, Is.EqualTo(11_000));
    }

    [Test]
    public void PasswordMatches_OnlyTheRightPassword()
    {
        var device = Meter("a");

        Assert.That(device.PasswordMatches(Encoding.UTF8.GetBytes("pw-12345678"), hasPassword: true), Is.True);
        Assert.That(device.PasswordMatches(Encoding.UTF8.GetBytes("pw-12345679"), hasPassword: true), Is.False);
        Assert.That(device.PasswordMatches(default, hasPassword: false), Is.False);
        Assert.That((device with { SecretSha256 = "" }).PasswordMatches(default, hasPassword: false), Is.True, "a device without a secret connects without one");
        Assert.That(device.SecretSha256, Is.EqualTo(Secret), "the hash reads back as it was given");
    }

    [Test]
    public void With_ANewDistrict_GivesANewTelemetryKey()
    {
        var sensor = new DeviceInfo("p1", DeviceKind.WaterPressure, "d01", 60, "");
        Assert.That(Encoding.UTF8.GetString(sensor.TelemetryKeyUtf8), Is.EqualTo("district/d01"));

        var moved = sensor with { District = "d02" };

        Assert.That(Encoding.UTF8.GetString(moved.TelemetryKeyUtf8), Is.EqualTo("district/d02"));
        Assert.That(Encoding.UTF8.GetString(sensor.TelemetryKeyUtf8), Is.EqualTo("district/d01"));
    }

    [Test]
    public void FormatLine_RevokedDevice_ReadsBackRevoked()
    {
        var device = Meter("a") with { Revoked = true };

        var line = DeviceRegistryFile.FormatLine(device);

        Assert.That(line, Does.EndWith(",revoked"));
        Assert.That(DeviceRegistryFile.ParseLine(line, "test"), Is.EqualTo(device));
        Assert.That(DeviceRegistryFile.ParseLine(DeviceRegistryFile.FormatLine(Meter("a")), "test").Revoked, Is.False);
    }

    [Test]
    public void ParseLine_BadLine_NamesTheSource()
    {
        Assert.That(() => DeviceRegistryFile.ParseLine("a,gas-meter,d01,0,,", "sensing.devices[0]@7"),
            Throws.TypeOf<FormatException>().With.Message.StartsWith("sensing.devices[0]@7: report_s '0'"));
    }
}
