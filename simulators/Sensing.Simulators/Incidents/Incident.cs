using Sensing.Simulators.Truth;

namespace Sensing.Simulators.Incidents;

/// <summary>
/// One incident or trap in the city: what, on which device (or district), from when to when in event time.
/// </summary>
public sealed class Incident
{
    /// <summary>An incident on a device.</summary>
    public static Incident OnDevice(IncidentKind kind, string deviceId, int device, int district, long startMs, long endMs) =>
        new(kind, deviceId, device, district, startMs, endMs);

    /// <summary>An incident on a whole district.</summary>
    public static Incident OnDistrict(IncidentKind kind, string districtName, int district, long startMs, long endMs) =>
        new(kind, districtName, -1, district, startMs, endMs);

    private Incident(IncidentKind kind, string source, int device, int district, long startMs, long endMs)
    {
        if (endMs <= startMs)
        {
            throw new ArgumentException($"incident {kind.Name()} on {source}: end must be after start");
        }

        Kind = kind;
        Source = source;
        Device = device;
        District = district;
        StartMs = startMs;
        EndMs = endMs;
    }

    /// <summary>What is injected.</summary>
    public IncidentKind Kind { get; }

    /// <summary>Device id, or district name for district incidents.</summary>
    public string Source { get; }

    /// <summary>Device index, or -1 for a district incident.</summary>
    public int Device { get; }

    /// <summary>District index.</summary>
    public int District { get; }

    /// <summary>Event time the incident starts, Unix ms.</summary>
    public long StartMs { get; }

    /// <summary>Event time the incident ends, Unix ms (exclusive).</summary>
    public long EndMs { get; }

    /// <summary>The ground-truth line for this incident.</summary>
    public TruthEntry Truth => new(Kind.Name(), Source, StartMs, EndMs, Kind.ExpectedCondition());

    /// <summary>True when <paramref name="timeMs"/> is inside the incident.</summary>
    public bool IsActive(long timeMs) => timeMs >= StartMs && timeMs < EndMs;

    /// <summary>Fraction of the incident elapsed at <paramref name="timeMs"/>, 0..1.</summary>
    public double Progress(long timeMs) => Math.Clamp((double)(timeMs - StartMs) / (EndMs - StartMs), 0, 1);

    /// <summary>For one-reading traps: set once the reading has been shaped.</summary>
    internal bool Fired { get; set; }

    /// <summary>Time of the device's first reading inside the incident, Unix ms; 0 before it.</summary>
    internal long FirstSeenMs { get; set; }
}
