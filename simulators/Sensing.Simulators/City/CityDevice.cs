using System.Text;
using Sensing.Core.Devices;

namespace Sensing.Simulators.City;

/// <summary>
/// One device of the simulated city: its registry entry and credentials, where it sits in the water network, the
/// physical constants its readings derive from, and the little state that accumulates (sequence, totaliser).
/// </summary>
public sealed class CityDevice
{
    private long _valveClosedAtMs;

    internal CityDevice(int index, DeviceInfo info, string password, int district, bool persistent)
    {
        Index = index;
        Info = info;
        Password = password;
        District = district;
        Persistent = persistent;
        UplinkTopic = Encoding.ASCII.GetBytes($"sensing/{info.Id}/up");
        IntervalMs = info.ReportIntervalSeconds * 1000L;
    }

    /// <summary>Position in <see cref="CityModel.Devices"/>.</summary>
    public int Index { get; }

    /// <summary>Registry entry (id, kind, district, interval, secret hash, parameters).</summary>
    public DeviceInfo Info { get; internal set; }

    /// <summary>MQTT password; its SHA-256 is in the registry.</summary>
    public string Password { get; }

    /// <summary>Index of the device's district in <see cref="CityModel.Districts"/>.</summary>
    public int District { get; }

    /// <summary>True when the device keeps an MQTT session; false when it connects, publishes and disconnects (NB-IoT) or is behind a concentrator.</summary>
    public bool Persistent { get; internal set; }

    /// <summary>Index in <see cref="CityModel.Concentrators"/> of the concentrator that publishes for the device; -1 when it publishes itself.</summary>
    public int Concentrator { get; internal set; } = -1;

    /// <summary>True when the device sends the compact binary reading; false for JSON.</summary>
    public bool Binary { get; internal set; }

    /// <summary>The topic the device publishes to, <c>sensing/&lt;id&gt;/up</c>, as UTF-8.</summary>
    public byte[] UplinkTopic { get; }

    /// <summary>Nominal reporting interval, ms.</summary>
    public long IntervalMs { get; }

    /// <summary>Offset of the first report after the simulation starts, ms (spreads the fleet's load).</summary>
    public long PhaseMs { get; internal set; }

    /// <summary>Sequence number of the last reading produced.</summary>
    public ulong Sequence { get; internal set; }

    /// <summary>Role in the water network: far-end pressure sensor or district inlet flow meter.</summary>
    public bool FarEnd { get; internal set; }

    /// <summary>District inlet flow meter (true) or DMA meter (false); only for water-flow devices.</summary>
    public bool Inlet { get; internal set; }

    /// <summary>Kind constant: gas meter Qmax (m3/h), pressure at zero flow (MPa), mean flow (m3/h), charger rating (kW), reservoir flood limit (m).</summary>
    public double Scale { get; internal set; }

    /// <summary>Kind constant: pressure drop at the design peak (MPa), gas use rate when in use (m3/h), charger phases.</summary>
    public double Shape { get; internal set; }

    /// <summary>Noise deviation of the measured value, in the metric's unit.</summary>
    public double NoiseSigma { get; internal set; }

    /// <summary>Battery voltage when the simulation starts, V.</summary>
    public double BatteryStart { get; internal set; }

    /// <summary>
    /// True when a gas meter's valve follows downlink commands (it keeps a session subscribed to its command topic);
    /// false when the simulation closes the valve itself 6 minutes into a rupture, as the processor's command would,
    /// because no downlink reaches the meter (offline runs, connect-publish-disconnect sessions).
    /// </summary>
    public bool ValveByCommand { get; internal set; }

    /// <summary>Simulation time a valve-close command closed the meter's valve, Unix ms; 0 while it is open.</summary>
    public long ValveClosedAtMs => Volatile.Read(ref _valveClosedAtMs);

    /// <summary>Cumulative quantity (gas volume m3, water total m3, charger energy kWh).</summary>
    internal double Totaliser { get; set; }

    /// <summary>Event time of the previous reading, ms (0 before the first).</summary>
    internal long LastReadingMs { get; set; }

    /// <summary>Closes the valve (commands arrive on a connection's receive thread); a second close keeps the first time.</summary>
    internal void CloseValve(long timeMs) => Interlocked.CompareExchange(ref _valveClosedAtMs, Math.Max(1, timeMs), 0);

    /// <summary>Opens the valve.</summary>
    internal void OpenValve() => Volatile.Write(ref _valveClosedAtMs, 0);
}

/// <summary>A water-network district: its inlet flow meter and the sensors downstream of it.</summary>
/// <param name="Index">Position in <see cref="CityModel.Districts"/>.</param>
/// <param name="Name">District name as in the registry, e.g. <c>d03</c>.</param>
public sealed record CityDistrict(int Index, string Name)
{
    /// <summary>Device index of the district's inlet flow meter.</summary>
    public int Inlet { get; internal set; } = -1;

    /// <summary>Mean inflow of the district, m3/h.</summary>
    public double MeanInflow { get; internal set; }

    /// <summary>Device indexes of the pressure sensors downstream of the inlet.</summary>
    public List<int> PressureSensors { get; } = [];

    /// <summary>Device indexes of the far-end pressure sensors (a subset of <see cref="PressureSensors"/>).</summary>
    public List<int> FarEnds { get; } = [];

    /// <summary>Device indexes of every device in the district.</summary>
    public List<int> Devices { get; } = [];
}
