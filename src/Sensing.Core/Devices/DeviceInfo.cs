namespace Sensing.Core.Devices;

/// <summary>One registered field device.</summary>
/// <param name="Id">Device id as it appears in MQTT topics and Kafka keys (ASCII letters, digits, '-', '_', '.').</param>
/// <param name="Kind">What the device measures.</param>
/// <param name="District">Water/gas network district the device belongs to.</param>
/// <param name="ReportIntervalSeconds">Nominal reporting interval; offline detection works in multiples of it.</param>
/// <param name="SecretSha256">Lower-case hex SHA-256 of the device's MQTT password; empty for none.</param>
public sealed record DeviceInfo(string Id, DeviceKind Kind, string District, int ReportIntervalSeconds, string SecretSha256)
{
    /// <summary>
    /// Kind-specific parameters (e.g. a gas meter's <c>qmax</c>, a pressure sensor's <c>role</c>, a reservoir's
    /// <c>flood_limit_m</c>); see <see cref="DeviceParameters"/> for the names in use.
    /// </summary>
    public DeviceParameters Parameters { get; init; } = DeviceParameters.Empty;

    private byte[]? _idUtf8;
    private byte[]? _telemetryKey;

    /// <summary>The id as ASCII bytes (frame field, Kafka key of commands and dead letters), computed once.</summary>
    public byte[] IdUtf8 => _idUtf8 ??= System.Text.Encoding.ASCII.GetBytes(Id);

    /// <summary>
    /// The Kafka key of this device's records on <c>sensing.telemetry</c>, computed once. Water-network pressure
    /// sensors and flow meters are keyed by their district (<c>district/NAME</c>), so every device a district rule
    /// (low pressure across a district, pipe burst, night flow) needs lands on one partition and therefore on one
    /// processor; every other device is keyed by its id. Either way one device always has one key, so its records
    /// keep one partition and their order. Device ids cannot contain '/', so the two forms never collide.
    /// </summary>
    public byte[] TelemetryKeyUtf8 => _telemetryKey ??= System.Text.Encoding.UTF8.GetBytes(TelemetryKeyOf(Id, Kind, District));

    /// <summary>The telemetry key (<see cref="TelemetryKeyUtf8"/>) as text, for a device of <paramref name="kind"/> in <paramref name="district"/>.</summary>
    public static string TelemetryKeyOf(string id, DeviceKind kind, string district) =>
        kind is DeviceKind.WaterPressure or DeviceKind.WaterFlow ? "district/" + district : id;

    /// <summary>Longest device id accepted anywhere in the pipeline (bytes of UTF-8 = ASCII).</summary>
    public const int MaxIdLength = 64;

    /// <summary>True when <paramref name="id"/> is a syntactically valid device id.</summary>
    public static bool IsValidId(ReadOnlySpan<byte> id)
    {
        if (id.IsEmpty || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var b in id)
        {
            var ok = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
