namespace Sensing.Core.Alerts;

/// <summary>Alert severity, lowest to highest (ISA-18.2 priorities map onto these).</summary>
public enum AlertSeverity : byte
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
