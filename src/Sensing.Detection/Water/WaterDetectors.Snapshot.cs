using Sensing.Core.Devices;
using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Water state for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>): per device the state of every water
/// detector of its kind (CUSUMs and baselines, night-flow baselines, rain windows, alert latches), and per district
/// the district rules' state (district low-pressure alert, burst vote and demand level, night-flow alert). A
/// snapshot carries the districts of the pressure sensors and flow meters it holds; the gateway keys those devices by
/// their district, so a district's devices, and with them its state, travel with one partition.
/// </summary>
public sealed partial class WaterDetectors
{
    private readonly WaterNetwork _network;

    /// <summary>Sizes of the per-sensor and per-district structs copied as bytes, and the inlet-leak rings' lengths, part of the snapshot's layout check.</summary>
    internal static int[] Layout =>
    [
        LowPressureDetector.SensorSize, LowPressureDetector.DistrictSize, PipeBurstDetector.SeriesSize,
        PipeBurstDetector.DistrictSize, PipeBurstDetector.SlotSize, NightFlowDetector.MeterSize, NightFlowDetector.DistrictSize,
        InletLeakDetector.MeterSize, InletLeakDetector.CandidateSize, InletLeakDetector.Onsets, InletLeakDetector.RecentHours,
    ];

    internal void WriteState(int deviceNumber, DeviceKind kind, StateWriter writer)
    {
        var index = _network.IndexOf(deviceNumber);
        switch (kind)
        {
            case DeviceKind.WaterPressure:
                LowPressure.WriteState(index, writer);
                PipeBurst.WritePressureState(index, writer);
                break;
            case DeviceKind.WaterFlow:
                PipeBurst.WriteFlowState(index, writer);
                NightFlow.WriteState(index, writer);
                InletLeak.WriteState(index, writer);
                break;
            case DeviceKind.ReservoirLevel:
                ReservoirLevel.WriteState(index, writer);
                break;
            case DeviceKind.RainGauge:
                HeavyRain.WriteState(index, writer);
                break;
        }
    }

    internal void ReadState(int deviceNumber, DeviceKind kind, ref StateReader reader)
    {
        var index = _network.IndexOf(deviceNumber);
        switch (kind)
        {
            case DeviceKind.WaterPressure:
                LowPressure.ReadState(index, ref reader);
                PipeBurst.ReadPressureState(index, ref reader);
                break;
            case DeviceKind.WaterFlow:
                PipeBurst.ReadFlowState(index, ref reader);
                NightFlow.ReadState(index, ref reader);
                InletLeak.ReadState(index, ref reader);
                break;
            case DeviceKind.ReservoirLevel:
                ReservoirLevel.ReadState(index, ref reader);
                break;
            case DeviceKind.RainGauge:
                HeavyRain.ReadState(index, ref reader);
                break;
        }
    }

    /// <summary>The districts whose state goes with <paramref name="deviceNumbers"/>: those of its pressure sensors and flow meters, each once.</summary>
    internal List<int> DistrictsOf(ReadOnlySpan<int> deviceNumbers)
    {
        var districts = new List<int>();
        var listed = new bool[_network.DistrictCount];
        foreach (var number in deviceNumbers)
        {
            if ((uint)number < (uint)_network.Resolved
                && _network.Registry[number].Kind is DeviceKind.WaterPressure or DeviceKind.WaterFlow
                && _network.DistrictOf(number) is var k and >= 0 && !listed[k])
            {
                listed[k] = true;
                districts.Add(k);
            }
        }

        return districts;
    }

    internal void WriteDistrict(int district, StateWriter writer)
    {
        writer.WriteString(_network.DistrictName(district));
        LowPressure.WriteDistrict(district, writer);
        PipeBurst.WriteDistrict(district, writer);
        NightFlow.WriteDistrict(district, writer);
        InletLeak.WriteDistrict(district, writer);
    }

    /// <summary>
    /// Replaces a district's state with what <see cref="WriteDistrict"/> wrote; false (nothing changed) for a district
    /// with no water device in this engine's registry. Counts derived from the devices (low sensors, tripped CUSUMs,
    /// flagged meters) are taken from the devices this engine holds, so restore the devices first.
    /// </summary>
    internal bool ReadDistrict(ref StateReader reader)
    {
        var name = reader.ReadString();
        if (name is null || !_network.TryFindDistrict(name, out var district))
        {
            return false;
        }

        LowPressure.ReadDistrict(district, ref reader);
        PipeBurst.ReadDistrict(district, ref reader);
        NightFlow.ReadDistrict(district, ref reader);
        InletLeak.ReadDistrict(district, ref reader);
        return true;
    }

    /// <summary>Device <paramref name="deviceNumber"/>'s readings now go to another engine: time alone moves nothing of it here.</summary>
    internal void Release(int deviceNumber)
    {
        if ((uint)deviceNumber < (uint)_network.Resolved && _network.Registry[deviceNumber].Kind == DeviceKind.RainGauge)
        {
            HeavyRain.Release(_network.IndexOf(deviceNumber));
        }
    }
}
