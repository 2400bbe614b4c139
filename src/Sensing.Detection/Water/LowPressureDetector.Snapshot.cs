using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-sensor and per-district state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class LowPressureDetector
{
    internal static int SensorSize => StateWriter.SizeOf<Sensor>();

    internal static int DistrictSize => StateWriter.SizeOf<District>();

    internal void WriteState(int index, StateWriter writer)
    {
        writer.WriteStruct(in _sensors[index]);
        _deviceAlerts.WriteState(index, writer);
    }

    internal void ReadState(int index, ref StateReader reader)
    {
        var sensor = reader.ReadStruct<Sensor>();

        // District numbers are dense numbers of this engine's registry, not the writer's.
        sensor.District = _sensors[index].District;
        _sensors[index] = sensor;
        _deviceAlerts.ReadState(index, ref reader);
    }

    internal void WriteDistrict(int k, StateWriter writer)
    {
        writer.WriteStruct(in _districts[k]);
        writer.WriteString(_districtIds[k]);
    }

    internal void ReadDistrict(int k, ref StateReader reader)
    {
        var district = reader.ReadStruct<District>();
        var id = reader.ReadString();
        ActiveDistrictAlerts += (district.Active ? 1 : 0) - (_districts[k].Active ? 1 : 0);

        // The low sensors are those of the district this engine holds (OnLow and OnRestored keep the same count).
        district.LowCount = 0;
        foreach (var index in _sensorsOfDistrict[k])
        {
            district.LowCount += _sensors[index].Phase == SensorPhase.Low ? 1 : 0;
        }

        _districts[k] = district;
        _districtIds[k] = id;
    }
}
