using System.Globalization;
using System.Text;
using Sensing.Core.Devices;

namespace Sensing.Simulators.City;

/// <summary>
/// A district's data concentrator: one MQTT connection that publishes the readings of the district's devices of
/// <see cref="CityOptions.ConcentratorKinds"/> in batches (docs/gateway.md, "Concentrators"). Its registry entry serves
/// its whole district (<c>serves=district:NAME</c>).
/// </summary>
public sealed class CityConcentrator
{
    // Noise device numbers of concentrators, far above any device index (the city holds at most 250,000 devices).
    private const int NoiseBase = 1_000_000;

    private CityConcentrator(int index, DeviceInfo info, string password, int district, int[] devices)
    {
        Index = index;
        Info = info;
        Password = password;
        District = district;
        Devices = devices;
        UplinkTopic = Encoding.ASCII.GetBytes($"sensing/{info.Id}/up");
    }

    /// <summary>Position in <see cref="CityModel.Concentrators"/>.</summary>
    public int Index { get; }

    /// <summary>Registry entry: kind concentrator, id <c>cc-NAME</c>, the district it serves.</summary>
    public DeviceInfo Info { get; }

    /// <summary>MQTT password; its SHA-256 is in the registry.</summary>
    public string Password { get; }

    /// <summary>Index of the district in <see cref="CityModel.Districts"/>.</summary>
    public int District { get; }

    /// <summary>Indexes of the devices it publishes for.</summary>
    public IReadOnlyList<int> Devices { get; }

    /// <summary>The topic it publishes batches to, <c>sensing/&lt;id&gt;/up</c>, as UTF-8.</summary>
    public byte[] UplinkTopic { get; }

    /// <summary>
    /// Creates the concentrators of the first <see cref="CityOptions.ConcentratorDistricts"/> districts and moves their
    /// devices of <see cref="CityOptions.ConcentratorKinds"/> behind them (a district without such devices gets none).
    /// </summary>
    internal static CityConcentrator[] Assign(CityOptions options, IReadOnlyList<CityDevice> devices, CityDistrict[] districts)
    {
        var concentrators = new List<CityConcentrator>();
        for (var d = 0; d < Math.Min(options.ConcentratorDistricts, districts.Length); d++)
        {
            var served = devices.Where(x => x.District == d && options.ConcentratorKinds.Contains(x.Info.Kind)).ToArray();
            if (served.Length == 0)
            {
                continue;
            }

            var index = concentrators.Count;
            var name = districts[d].Name;
            var password = "pw-" + Noise.Hash(options.Seed, NoiseBase + index, 0, 1).ToString("x16", CultureInfo.InvariantCulture);
            var info = new DeviceInfo("cc-" + name, DeviceKind.Concentrator, name, ReportSeconds(served), DeviceRegistryFile.HashSecret(password))
            {
                Parameters = DeviceParameters.From([new(ConcentratorScope.ParameterName, "district:" + name)]),
            };
            foreach (var device in served)
            {
                device.Concentrator = index;
                device.Persistent = false;
            }

            concentrators.Add(new CityConcentrator(index, info, password, d, [.. served.Select(x => x.Index)]));
        }

        return [.. concentrators];
    }

    // The registry wants an interval; a concentrator forwards as often as its quickest device reports.
    private static int ReportSeconds(CityDevice[] served) => served.Min(x => x.Info.ReportIntervalSeconds);
}
