using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sensing.Core.Devices;

/// <summary>
/// One registered field device. Kept small, since a gateway and a processor each hold the whole city (190,000 of
/// them): the secret's hash lives in the record itself (32 bytes, no string), the district and the parameters are
/// shared between the devices that have equal ones (<see cref="DeviceRegistry"/> interns them), and the UTF-8 forms
/// of the id and the telemetry key are made on first use.
/// </summary>
public sealed record DeviceInfo
{
    private readonly string _id = "";
    private readonly DeviceKind _kind;
    private readonly string _district = "";
    private ulong _secret0;
    private ulong _secret1;
    private ulong _secret2;
    private ulong _secret3;
    private bool _hasSecret;
    private int _latitudeE6 = NoCoordinate;
    private int _longitudeE6 = NoCoordinate;
    private byte[]? _idUtf8;
    private byte[]? _telemetryKey;

    /// <summary>One registered field device.</summary>
    /// <param name="id">Device id as it appears in MQTT topics and Kafka keys (ASCII letters, digits, '-', '_', '.').</param>
    /// <param name="kind">What the device measures.</param>
    /// <param name="district">Water/gas network district the device belongs to.</param>
    /// <param name="reportIntervalSeconds">Nominal reporting interval; offline detection works in multiples of it.</param>
    /// <param name="secretSha256">Lower-case hex SHA-256 of the device's MQTT password; empty for none.</param>
    public DeviceInfo(string id, DeviceKind kind, string district, int reportIntervalSeconds, string secretSha256)
    {
        Id = id;
        Kind = kind;
        District = district;
        ReportIntervalSeconds = reportIntervalSeconds;
        SecretSha256 = secretSha256;
    }

    /// <summary>Device id as it appears in MQTT topics and Kafka keys (ASCII letters, digits, '-', '_', '.').</summary>
    public string Id
    {
        get => _id;
        init
        {
            _id = value;
            _idUtf8 = null;
            _telemetryKey = null;
        }
    }

    /// <summary>What the device measures.</summary>
    public DeviceKind Kind
    {
        get => _kind;
        init
        {
            _kind = value;
            _telemetryKey = null;
        }
    }

    /// <summary>Water/gas network district the device belongs to.</summary>
    public string District
    {
        get => _district;
        init
        {
            _district = value;
            _telemetryKey = null;
        }
    }

    /// <summary>Nominal reporting interval; offline detection works in multiples of it.</summary>
    public int ReportIntervalSeconds { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the device's MQTT password; empty for none. Setting anything else than 64 hex digits
    /// or empty throws <see cref="FormatException"/>.
    /// </summary>
    public string SecretSha256
    {
        get
        {
            if (!_hasSecret)
            {
                return "";
            }

            Span<byte> hash = stackalloc byte[32];
            WriteSecret(hash);
            return Convert.ToHexStringLower(hash);
        }

        init
        {
            if (string.IsNullOrEmpty(value))
            {
                _hasSecret = false;
                _secret0 = _secret1 = _secret2 = _secret3 = 0;
                return;
            }

            Span<byte> hash = stackalloc byte[32];
            if (value.Length != 64 || Convert.FromHexString(value, hash, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            {
                throw new FormatException("secret_sha256 must be 64 hex digits or empty");
            }

            _secret0 = BinaryPrimitives.ReadUInt64LittleEndian(hash);
            _secret1 = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
            _secret2 = BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]);
            _secret3 = BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]);
            _hasSecret = true;
        }
    }

    /// <summary>True when the device connects with a password.</summary>
    public bool HasSecret => _hasSecret;

    /// <summary>
    /// True when the device has been revoked: the registry keeps its entry (its history stays readable) but the
    /// gateways refuse it and close its connection.
    /// </summary>
    public bool Revoked { get; init; }

    /// <summary>
    /// Kind-specific parameters (e.g. a gas meter's <c>qmax</c>, a pressure sensor's <c>role</c>, a reservoir's
    /// <c>flood_limit_m</c>); see <see cref="DeviceParameters"/> for the names in use.
    /// </summary>
    public DeviceParameters Parameters { get; init; } = DeviceParameters.Empty;

    /// <summary>
    /// Where the device is: latitude in WGS 84 degrees (north positive), or null when the registry has no coordinates
    /// for it. Kept to 6 decimal places (about 0.1 m) in 4 bytes; a value outside [-90, 90] throws
    /// <see cref="FormatException"/>.
    /// </summary>
    public double? Latitude
    {
        get => _latitudeE6 == NoCoordinate ? null : _latitudeE6 / 1e6;
        init => _latitudeE6 = ToMicroDegrees(value, 90, "lat");
    }

    /// <summary>
    /// Where the device is: longitude in WGS 84 degrees (east positive), or null when the registry has no coordinates
    /// for it. Kept to 6 decimal places; a value outside [-180, 180] throws <see cref="FormatException"/>.
    /// </summary>
    public double? Longitude
    {
        get => _longitudeE6 == NoCoordinate ? null : _longitudeE6 / 1e6;
        init => _longitudeE6 = ToMicroDegrees(value, 180, "lon");
    }

    /// <summary>True when the registry gives the device's coordinates (both <see cref="Latitude"/> and <see cref="Longitude"/>).</summary>
    public bool HasLocation => _latitudeE6 != NoCoordinate && _longitudeE6 != NoCoordinate;

    /// <summary>The id as ASCII bytes (frame field, Kafka key of commands and dead letters), computed once.</summary>
    public byte[] IdUtf8 => _idUtf8 ??= System.Text.Encoding.ASCII.GetBytes(Id);

    /// <summary>
    /// The Kafka key of this device's records on <c>sensing.telemetry</c>, computed once: its district
    /// (<c>district/NAME</c>), so every device a district rule needs lands on one partition and therefore on one
    /// processor: low pressure, pipe burst and night flow across a district's water sensors, a district outage
    /// grouping every kind of device gone silent at once, a building's smoke alarms and fire-water sensors. A device
    /// without a district is keyed by its id. Either way one device always has one key, so its records keep one
    /// partition and their order. Device ids cannot contain '/', so the two forms never collide.
    /// </summary>
    public byte[] TelemetryKeyUtf8 => _telemetryKey ??= District.Length > 0
        ? DistrictKeys.GetOrAdd(District, static district => System.Text.Encoding.UTF8.GetBytes(TelemetryKeyOf("", district)))
        : IdUtf8;

    // One key array per district, shared by its devices (a city has about a hundred districts, 190,000 devices).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> DistrictKeys = new(StringComparer.Ordinal);

    /// <summary>The telemetry key (<see cref="TelemetryKeyUtf8"/>) as text, for a device <paramref name="id"/> in <paramref name="district"/>.</summary>
    public static string TelemetryKeyOf(string id, string district) =>
        district.Length > 0 ? "district/" + district : id;

    /// <summary>Longest device id accepted anywhere in the pipeline (bytes of UTF-8 = ASCII).</summary>
    public const int MaxIdLength = 64;

    /// <summary>
    /// True when <paramref name="password"/> is this device's password, compared in constant time; true for any
    /// password when the device has none. Allocates nothing.
    /// </summary>
    public bool PasswordMatches(ReadOnlySpan<byte> password, bool hasPassword)
    {
        if (!_hasSecret)
        {
            return true;
        }

        if (!hasPassword)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(password, hash);
        Span<byte> expected = stackalloc byte[32];
        WriteSecret(expected);
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }

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

    /// <summary>Equal when every registered field is equal (the cached UTF-8 forms are not compared).</summary>
    public bool Equals(DeviceInfo? other) =>
        other is not null && _id == other._id && _kind == other._kind && _district == other._district
        && ReportIntervalSeconds == other.ReportIntervalSeconds && _hasSecret == other._hasSecret
        && _secret0 == other._secret0 && _secret1 == other._secret1 && _secret2 == other._secret2 && _secret3 == other._secret3
        && Revoked == other.Revoked && _latitudeE6 == other._latitudeE6 && _longitudeE6 == other._longitudeE6
        && Parameters.ToString() == other.Parameters.ToString();

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_id, _kind, _district, ReportIntervalSeconds, _secret0, Revoked);

    // Coordinates are held in millionths of a degree; this value (outside every valid one) means none.
    private const int NoCoordinate = int.MinValue;

    private static int ToMicroDegrees(double? degrees, double limit, string name)
    {
        if (degrees is not { } d)
        {
            return NoCoordinate;
        }

        // Negated so NaN fails too.
        if (!(d >= -limit && d <= limit))
        {
            throw new FormatException($"{name} must be a number of degrees in [-{limit}, {limit}], was {d}");
        }

        return (int)Math.Round(d * 1e6, MidpointRounding.AwayFromZero);
    }

    private void WriteSecret(Span<byte> hash)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(hash, _secret0);
        BinaryPrimitives.WriteUInt64LittleEndian(hash[8..], _secret1);
        BinaryPrimitives.WriteUInt64LittleEndian(hash[16..], _secret2);
        BinaryPrimitives.WriteUInt64LittleEndian(hash[24..], _secret3);
    }
}
