using System.Globalization;
using System.Security.Cryptography;
using Sensing.Core.Devices;

namespace Sensing.Registry;

/// <summary>A change to one device's entry is refused: which field, and why.</summary>
public sealed class DeviceEditException(string field, string problem) : Exception($"{field}: {problem}")
{
    /// <summary>The field at fault (<c>id</c>, <c>kind</c>, <c>district</c>, <c>report_s</c>, <c>params</c>, <c>password</c>, <c>secret_sha256</c>, <c>lat</c>, <c>lon</c>).</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = problem;
}

/// <summary>
/// The fields an operator sets when adding or changing a device; null leaves a field as it is (or, when adding, is
/// an error for the required ones: kind, district, report_s). At most one of <see cref="Password"/> and
/// <see cref="SecretSha256"/>; the registry stores only the password's SHA-256. Coordinates come as a pair
/// (<see cref="Latitude"/> and <see cref="Longitude"/>).
/// </summary>
public sealed record DeviceEdit(
    string? Kind = null, string? District = null, int? ReportSeconds = null, string? Parameters = null, string? Password = null, string? SecretSha256 = null)
{
    /// <summary>The device's latitude, WGS 84 degrees; null leaves it as it is. Given together with <see cref="Longitude"/>.</summary>
    public double? Latitude { get; init; }

    /// <summary>The device's longitude, WGS 84 degrees; null leaves it as it is. Given together with <see cref="Latitude"/>.</summary>
    public double? Longitude { get; init; }

    /// <summary>A new device from this edit.</summary>
    public DeviceInfo Create(string id)
    {
        CheckId(id);
        var kind = Kind ?? throw new DeviceEditException("kind", "required for a new device");
        var district = District ?? throw new DeviceEditException("district", "required for a new device");
        var report = ReportSeconds ?? throw new DeviceEditException("report_s", "required for a new device");
        return Check(new DeviceInfo(id, ParseKind(kind), CheckDistrict(district), CheckReport(report), Secret("")));
    }

    /// <summary>The entry <paramref name="current"/> with this edit's fields set.</summary>
    public DeviceInfo ApplyTo(DeviceInfo current) => Check(current with
    {
        Kind = Kind is null ? current.Kind : ParseKind(Kind),
        District = District is null ? current.District : CheckDistrict(District),
        ReportIntervalSeconds = ReportSeconds is null ? current.ReportIntervalSeconds : CheckReport(ReportSeconds.Value),
        SecretSha256 = Secret(current.SecretSha256),
    });

    /// <summary>A new random password: 18 bytes from the system's CSPRNG, base64url (24 characters).</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    /// <summary>Checks a device id as the registry takes it.</summary>
    public static void CheckId(string id)
    {
        if (!DeviceInfo.IsValidId(System.Text.Encoding.UTF8.GetBytes(id)) || id.Any(c => c > 127))
        {
            throw new DeviceEditException("id", $"'{id}' is not 1-{DeviceInfo.MaxIdLength} of [A-Za-z0-9._-]");
        }
    }

    private DeviceInfo Check(DeviceInfo device)
    {
        if (Latitude.HasValue != Longitude.HasValue)
        {
            throw new DeviceEditException(Latitude.HasValue ? "lon" : "lat", "lat and lon come together");
        }

        if (Latitude is { } latitude && Longitude is { } longitude)
        {
            try
            {
                device = device with { Latitude = latitude, Longitude = longitude };
            }
            catch (FormatException e)
            {
                throw new DeviceEditException(latitude is >= -90 and <= 90 ? "lon" : "lat", e.Message);
            }
        }

        if (Parameters is not null)
        {
            try
            {
                device = device with { Parameters = DeviceParameters.Parse(Parameters) };
            }
            catch (FormatException e)
            {
                throw new DeviceEditException("params", e.Message);
            }
        }

        // The same checks as a registry file's line (a concentrator's scope among them).
        try
        {
            return DeviceRegistryFile.ParseLine(DeviceRegistryFile.FormatLine(device), "device");
        }
        catch (FormatException e)
        {
            throw new DeviceEditException(device.Kind == DeviceKind.Concentrator ? "params" : "device", e.Message);
        }
    }

    private string Secret(string current)
    {
        if (Password is not null && SecretSha256 is not null)
        {
            throw new DeviceEditException("password", "give a password or secret_sha256, not both");
        }

        if (Password is not null)
        {
            return Password.Length is >= 8 and <= 256
                ? DeviceRegistryFile.HashSecret(Password)
                : throw new DeviceEditException("password", "must be 8 to 256 characters");
        }

        if (SecretSha256 is not null)
        {
            return SecretSha256.Length == 0 || (SecretSha256.Length == 64 && SecretSha256.All(char.IsAsciiHexDigitLower))
                ? SecretSha256
                : throw new DeviceEditException("secret_sha256", "must be 64 lower-case hex digits, or empty for none");
        }

        return current;
    }

    private static DeviceKind ParseKind(string kind) =>
        DeviceKinds.TryParse(kind.Trim(), out var parsed)
            ? parsed
            : throw new DeviceEditException("kind", $"'{kind}' is not one of {string.Join(", ", DeviceKinds.All.ToArray().Select(k => k.Name()))}, concentrator");

    private static string CheckDistrict(string district) =>
        district.Length is > 0 and <= 64 && district.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? district
            : throw new DeviceEditException("district", $"'{district}' is not 1-64 of [A-Za-z0-9._-]");

    private static int CheckReport(int seconds) =>
        seconds is > 0 and <= 7 * 86_400
            ? seconds
            : throw new DeviceEditException("report_s", $"{seconds.ToString(CultureInfo.InvariantCulture)} is not 1 s to 7 days");
}
