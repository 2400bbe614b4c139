using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-meter state (tonight's minimum, the MNF baseline) and the district alert for checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>).</summary>
public sealed partial class NightFlowDetector
{
    internal static int MeterSize => StateWriter.SizeOf<Meter>();

    internal static int DistrictSize => StateWriter.SizeOf<District>();

    internal void WriteState(int index, StateWriter writer)
    {
        ref var meter = ref _meters[index];
        writer.WriteStruct(in meter);
        var days = meter.Inlet ? _nights[meter.District].BaselineDays : 0;
        writer.WriteInt32(days);
        foreach (var mnf in _baselines.AsSpan(meter.BaselineOffset, days))
        {
            writer.WriteStruct(in mnf);
        }
    }

    internal void ReadState(int index, ref StateReader reader)
    {
        ref var meter = ref _meters[index];
        var read = reader.ReadStruct<Meter>();
        var days = reader.ReadInt32();
        if (days < 0 || days > reader.Remaining / sizeof(double))
        {
            throw new InvalidDataException("detection snapshot: bad night-flow baseline length");
        }

        var local = meter.Inlet ? _nights[meter.District].BaselineDays : 0;
        if (days != local || read.Inlet != meter.Inlet)
        {
            // Another role or baseline length since (registry or options changed): this meter starts again.
            reader.Take(days * sizeof(double));
            return;
        }

        var ring = _baselines.AsSpan(meter.BaselineOffset, days);
        for (var day = 0; day < days; day++)
        {
            ring[day] = reader.ReadStruct<double>();
        }

        // Where the baseline lives and the district's number are this engine's own.
        read.District = meter.District;
        read.BaselineOffset = meter.BaselineOffset;
        meter = read;
    }

    internal void WriteDistrict(int k, StateWriter writer)
    {
        writer.WriteStruct(in _districts[k]);
        writer.WriteString(_ids[k]);
    }

    internal void ReadDistrict(int k, ref StateReader reader)
    {
        var district = reader.ReadStruct<District>();
        var id = reader.ReadString();
        ActiveCount += (district.Active ? 1 : 0) - (_districts[k].Active ? 1 : 0);

        // Flagged meters are counted over the district's inlet meters this engine holds (OnJudged keeps the same count).
        district.Flagged = 0;
        foreach (var m in _metersOfDistrict[k])
        {
            district.Flagged += _meters[m].Flagged ? 1 : 0;
        }

        _districts[k] = district;
        _ids[k] = id;
    }
}
