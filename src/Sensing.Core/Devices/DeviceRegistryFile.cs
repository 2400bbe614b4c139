using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sensing.Core.Devices;

/// <summary>
/// The registry file: CSV with the header <c>id,kind,district,report_s,secret_sha256,params</c>, or
/// <c>id,kind,district,report_s,secret_sha256,params,lat,lon</c> when it gives the devices' coordinates, one device a line.
/// <c>kind</c> is a <see cref="DeviceKinds"/> name; <c>secret_sha256</c> is the lower-case hex SHA-256 of the
/// device's MQTT password, or empty when the device connects without one; <c>params</c> holds the kind-specific
/// <see cref="DeviceParameters"/> (<c>qmax=6;role=inlet</c>), possibly empty; <c>lat</c> and <c>lon</c> are WGS 84
/// degrees with a '.' decimal point, both given or both empty for a device without coordinates. Files with the older five-column
/// header (no <c>params</c>) still load. Lines starting with '#' are comments. A <c>concentrator</c> entry names the
/// devices it publishes for in its <c>serves</c> parameter (<see cref="ConcentratorScope"/>); a missing or bad one
/// stops the load.
/// </summary>
public static class DeviceRegistryFile
{
    /// <summary>The header line every registry file starts with.</summary>
    public const string Header = "id,kind,district,report_s,secret_sha256,params";

    /// <summary>The header of registry files that give the devices' coordinates (<see cref="DeviceInfo.Latitude"/>, <see cref="DeviceInfo.Longitude"/>).</summary>
    public const string HeaderWithLocation = "id,kind,district,report_s,secret_sha256,params,lat,lon";

    /// <summary>The seventh column of a revoked device's line on <c>sensing.devices</c>.</summary>
    public const string RevokedColumn = "revoked";

    /// <summary>The header of registry files written before the <c>params</c> column existed.</summary>
    public const string HeaderWithoutParams = "id,kind,district,report_s,secret_sha256";

    /// <summary>Reads and validates a registry file; a bad line stops with its line number and the problem.</summary>
    public static IReadOnlyList<DeviceInfo> Read(string path)
    {
        var devices = new List<DeviceInfo>();
        foreach (var line in ReadLines(path))
        {
            devices.Add(line.Device ?? throw new FormatException(line.Error));
        }

        return devices;
    }

    /// <summary>
    /// Reads a registry file line by line without stopping at a bad one: each device line gives its device or the
    /// problem (<c>path:line: what</c>). A missing file or a bad header still throws <see cref="FormatException"/>.
    /// </summary>
    public static IEnumerable<RegistryLine> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            throw new FormatException($"device registry '{path}' does not exist");
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var lineNumber = 0;
        var sawHeader = false;
        var columns = 6;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!sawHeader)
            {
                columns = line.Trim() switch
                {
                    Header => 6,
                    HeaderWithLocation => 8,
                    HeaderWithoutParams => 5,
                    _ => throw new FormatException($"{path}:{lineNumber}: expected header '{Header}'"),
                };

                sawHeader = true;
                continue;
            }

            DeviceInfo? device = null;
            string? error = null;
            try
            {
                device = ParseLine(line, columns, path, lineNumber);
            }
            catch (FormatException e)
            {
                error = e.Message;
            }

            yield return new RegistryLine(lineNumber, device, error);
        }
    }

    /// <summary>
    /// One device as one registry line without its end of line (the form of <c>sensing.devices</c> record values):
    /// the six columns of <see cref="Header"/>, the eight of <see cref="HeaderWithLocation"/> for a device with
    /// coordinates, and then <c>revoked</c> for a revoked device.
    /// </summary>
    public static string FormatLine(DeviceInfo device)
    {
        var line = Format(device, device.HasLocation);
        return device.Revoked ? line + "," + RevokedColumn : line;
    }

    private static string Format(DeviceInfo device, bool withLocation)
    {
        var line = string.Join(',', device.Id, device.Kind.Name(), device.District,
            device.ReportIntervalSeconds.ToString(CultureInfo.InvariantCulture), device.SecretSha256, device.Parameters.ToString());
        return withLocation
            ? string.Create(CultureInfo.InvariantCulture, $"{line},{device.Latitude:0.######},{device.Longitude:0.######}")
            : line;
    }

    /// <summary>Parses a line made by <see cref="FormatLine"/>; a bad one throws <see cref="FormatException"/> naming <paramref name="source"/>.</summary>
    public static DeviceInfo ParseLine(string line, string source)
    {
        var revoked = line.EndsWith("," + RevokedColumn, StringComparison.Ordinal);
        var columns = line.AsSpan().Count(',') + 1 - (revoked ? 1 : 0);
        var device = ParseLine(revoked ? line[..^(RevokedColumn.Length + 1)] : line, columns == 8 ? 8 : 6, source, 0);
        return revoked ? device with { Revoked = true } : device;
    }

    /// <summary>Writes a registry file that <see cref="Read"/> loads.</summary>
    public static void Write(string path, IEnumerable<DeviceInfo> devices)
    {
        var list = devices as IReadOnlyCollection<DeviceInfo> ?? [.. devices];
        var withLocation = list.Any(d => d.HasLocation);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine(withLocation ? HeaderWithLocation : Header);
        foreach (var d in list)
        {
            writer.WriteLine(Format(d, withLocation));
        }
    }

    /// <summary>Lower-case hex SHA-256 of a password, as stored in the registry.</summary>
    public static string HashSecret(string password) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    private static DeviceInfo ParseLine(string line, int columns, string path, int lineNumber)
    {
        var where = lineNumber > 0 ? $"{path}:{lineNumber}" : path;
        var parts = line.Split(',');
        if (parts.Length != columns)
        {
            throw new FormatException($"{where}: expected {columns} columns, found {parts.Length}");
        }

        var id = parts[0].Trim();
        if (!DeviceInfo.IsValidId(Encoding.UTF8.GetBytes(id)))
        {
            throw new FormatException($"{where}: id '{id}' is not 1-{DeviceInfo.MaxIdLength} of [A-Za-z0-9._-]");
        }

        if (!DeviceKinds.TryParse(parts[1].Trim(), out var kind))
        {
            throw new FormatException($"{where}: kind '{parts[1]}' is not one of the device kinds");
        }

        if (!int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var interval) || interval <= 0)
        {
            throw new FormatException($"{where}: report_s '{parts[3]}' is not a positive whole number of seconds");
        }

        var secret = parts[4].Trim();
        if (secret.Length != 0 && (secret.Length != 64 || !secret.All(char.IsAsciiHexDigitLower)))
        {
            throw new FormatException($"{where}: secret_sha256 must be 64 lower-case hex digits or empty");
        }

        DeviceParameters parameters;
        try
        {
            parameters = columns >= 6 ? DeviceParameters.Parse(parts[5]) : DeviceParameters.Empty;
        }
        catch (FormatException e)
        {
            throw new FormatException($"{where}: params: {e.Message}", e);
        }

        var (latitude, longitude) = columns == 8 ? ParseLocation(parts[6], parts[7], where) : (null, null);
        var device = new DeviceInfo(id, kind, parts[2].Trim(), interval, secret)
        {
            Parameters = parameters,
            Latitude = latitude,
            Longitude = longitude,
        };
        if (kind == DeviceKind.Concentrator)
        {
            try
            {
                ConcentratorScope.Of(device);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{where}: {e.Message}", e);
            }
        }

        return device;
    }

    private static (double? Latitude, double? Longitude) ParseLocation(string lat, string lon, string where)
    {
        lat = lat.Trim();
        lon = lon.Trim();
        if (lat.Length == 0 && lon.Length == 0)
        {
            return (null, null);
        }

        if (!double.TryParse(lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude) || !(latitude is >= -90 and <= 90))
        {
            throw new FormatException($"{where}: lat '{lat}' is not a latitude in degrees, -90 to 90 (both lat and lon, or neither)");
        }

        if (!double.TryParse(lon, NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude) || !(longitude is >= -180 and <= 180))
        {
            throw new FormatException($"{where}: lon '{lon}' is not a longitude in degrees, -180 to 180 (both lat and lon, or neither)");
        }

        return (latitude, longitude);
    }
}

/// <summary>One device line of a registry file: its device, or the problem that kept it out.</summary>
/// <param name="Number">Line number in the file (1 is the header).</param>
/// <param name="Device">The device, when the line is good.</param>
/// <param name="Error">What is wrong with the line (<c>path:line: what</c>), when it is not.</param>
public sealed record RegistryLine(int Number, DeviceInfo? Device, string? Error);
