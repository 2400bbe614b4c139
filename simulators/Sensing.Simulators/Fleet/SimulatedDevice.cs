using System.Buffers;
using System.Buffers.Text;
using Sensing.Core.Devices;

namespace Sensing.Simulators.Fleet;

/// <summary>One simulated device: its registry entry, credentials and the state its next reading derives from.</summary>
public sealed class SimulatedDevice(DeviceInfo info, string password, int seed)
{
    private readonly Random _random = new(seed);
    private ulong _sequence;

    /// <summary>The device's registry entry.</summary>
    public DeviceInfo Info { get; } = info;

    /// <summary>The MQTT password (its SHA-256 is in the registry).</summary>
    public string Password { get; } = password;

    /// <summary>The topic this device publishes readings to.</summary>
    public string UplinkTopic { get; } = $"sensing/{info.Id}/up";

    /// <summary>An incident in progress that overrides normal behaviour, or null.</summary>
    public IIncident? Incident { get; set; }

    /// <summary>Sequence number of the last reading produced.</summary>
    public ulong Sequence => _sequence;

    /// <summary>Writes the next JSON reading at event time <paramref name="nowMs"/>.</summary>
    public void WriteReading(IBufferWriter<byte> output, long nowMs)
    {
        _sequence++;
        var json = new JsonLine(output);
        json.Start(_sequence, nowMs);
        if (Incident is { } incident && incident.TryWrite(ref json, this, nowMs))
        {
            json.End();
            return;
        }

        switch (Info.Kind)
        {
            case DeviceKind.MethaneDetector:
                // Clean air reads 0-2 %LEL of sensor noise.
                json.Number("lel"u8, Math.Round(_random.NextDouble() * 2, 2));
                json.Number("battery"u8, 3.6);
                break;
            case DeviceKind.GasMeter:
                json.Number("flow"u8, Math.Round(_random.NextDouble() * 1.2, 3));
                json.Number("battery"u8, 3.5);
                json.Number("valve"u8, 1);
                break;
            case DeviceKind.WaterPressure:
                json.Number("pressure"u8, Math.Round(0.25 + (_random.NextDouble() * 0.05), 4));
                break;
            case DeviceKind.EvCharger:
                json.Number("power"u8, Math.Round(_random.NextDouble() * 22, 1));
                break;
            default:
                json.Number("level"u8, Math.Round(10 + _random.NextDouble(), 3));
                break;
        }

        json.End();
    }

    /// <summary>A minimal allocation-free JSON object writer for readings.</summary>
    public ref struct JsonLine(IBufferWriter<byte> output)
    {
        private readonly IBufferWriter<byte> _output = output;

        /// <summary>Opens the object with seq and ts.</summary>
        public readonly void Start(ulong sequence, long eventTimeMs)
        {
            Raw("{\"seq\":"u8);
            var span = _output.GetSpan(20);
            Utf8Formatter.TryFormat(sequence, span, out var n);
            _output.Advance(n);
            Raw(",\"ts\":"u8);
            span = _output.GetSpan(20);
            Utf8Formatter.TryFormat(eventTimeMs, span, out n);
            _output.Advance(n);
        }

        /// <summary>Writes <c>,"name":value</c>.</summary>
        public readonly void Number(ReadOnlySpan<byte> name, double value)
        {
            Raw(",\""u8);
            Raw(name);
            Raw("\":"u8);
            var span = _output.GetSpan(32);
            Utf8Formatter.TryFormat(value, span, out var n);
            _output.Advance(n);
        }

        /// <summary>Closes the object.</summary>
        public readonly void End() => Raw("}"u8);

        private readonly void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_output.GetSpan(bytes.Length));
            _output.Advance(bytes.Length);
        }
    }
}
