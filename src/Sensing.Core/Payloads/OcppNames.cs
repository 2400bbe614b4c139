using System.Text;
using Sensing.Core.Telemetry;

namespace Sensing.Core.Payloads;

/// <summary>OCPP 1.6 status and error-code names as chargers send them (case-sensitive, as in the spec).</summary>
public static class OcppNames
{
    private static readonly byte[][] StatusNames = ToUtf8(Enum.GetNames<ChargerStatus>());
    private static readonly byte[][] ErrorNames = ToUtf8(Enum.GetNames<ChargerError>());

    /// <summary>Parses a ChargePointStatus name such as <c>SuspendedEVSE</c>.</summary>
    public static bool TryParseStatus(ReadOnlySpan<byte> name, out ChargerStatus status)
    {
        var i = IndexOf(StatusNames, name);
        status = (ChargerStatus)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>Parses a ChargePointErrorCode name such as <c>GroundFailure</c>.</summary>
    public static bool TryParseError(ReadOnlySpan<byte> name, out ChargerError error)
    {
        var i = IndexOf(ErrorNames, name);
        error = (ChargerError)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>The OCPP name of a status, e.g. <c>SuspendedEVSE</c>.</summary>
    public static string Name(ChargerStatus status) => Encoding.ASCII.GetString(StatusNames[(int)status]);

    private static int IndexOf(byte[][] names, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static byte[][] ToUtf8(string[] names) => [.. names.Select(Encoding.ASCII.GetBytes)];
}
