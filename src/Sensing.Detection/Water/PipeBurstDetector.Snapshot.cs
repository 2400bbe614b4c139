using Sensing.Detection.Internal;
using Sensing.Detection.Water.Internal;

namespace Sensing.Detection.Water;

/// <summary>
/// Per-sensor state (CUSUM, pooled variance, weekly baseline) and per-district state (vote, alert, demand level) for
/// checkpoints (<see cref="DetectionEngine.WriteSnapshot"/>). The structs are copied whole, so a field added to
/// <see cref="Series"/> or <see cref="District"/> is checkpointed with no change here (the layout check then refuses
/// snapshots of the old layout).
/// </summary>
public sealed partial class PipeBurstDetector
{
    internal static int SeriesSize => StateWriter.SizeOf<Series>();

    internal static int DistrictSize => StateWriter.SizeOf<District>();

    internal static int SlotSize => StateWriter.SizeOf<SlotStats>();

    internal void WritePressureState(int index, StateWriter writer) => WriteSeries(in _pressure[index], writer);

    internal void WriteFlowState(int index, StateWriter writer) => WriteSeries(in _flow[index], writer);

    internal void ReadPressureState(int index, ref StateReader reader) => ReadSeries(ref _pressure[index], ref reader);

    internal void ReadFlowState(int index, ref StateReader reader) => ReadSeries(ref _flow[index], ref reader);

    internal void WriteDistrict(int k, StateWriter writer)
    {
        writer.WriteStruct(in _districts[k]);
        writer.WriteString(_ids[k]);
    }

    internal void ReadDistrict(int k, ref StateReader reader)
    {
        var district = reader.ReadStruct<District>();
        var id = reader.ReadString();
        ActiveCount += (district.Phase == BurstPhase.Active ? 1 : 0) - (_districts[k].Phase == BurstPhase.Active ? 1 : 0);

        // Tripped CUSUMs are counted over the district's sensors this engine holds (OnTripChanged keeps the same count).
        district.TrippedFlow = 0;
        foreach (var f in _flowOfDistrict[k])
        {
            district.TrippedFlow += _flow[f].Tripped ? 1 : 0;
        }

        district.TrippedPressure = 0;
        foreach (var p in _pressureOfDistrict[k])
        {
            district.TrippedPressure += _pressure[p].Tripped ? 1 : 0;
        }

        _districts[k] = district;
        _ids[k] = id;
    }

    private void WriteSeries(in Series series, StateWriter writer)
    {
        writer.WriteStruct(in series);
        writer.WriteInt32(series.Slots);
        for (var slot = 0; slot < series.Slots; slot++)
        {
            writer.WriteStruct(in _profiles[series.Offset + slot]);
        }
    }

    private void ReadSeries(ref Series series, ref StateReader reader)
    {
        var read = reader.ReadStruct<Series>();
        var slots = reader.ReadInt32();
        if (slots < 0 || slots > reader.Remaining / SlotSize)
        {
            throw new InvalidDataException("detection snapshot: bad pipe-burst baseline length");
        }

        if (slots != series.Slots || read.SlotMs != series.SlotMs)
        {
            // A baseline of another shape (the slot options changed since): this sensor learns again.
            reader.Take(slots * SlotSize);
            return;
        }

        for (var slot = 0; slot < slots; slot++)
        {
            _profiles[series.Offset + slot] = reader.ReadStruct<SlotStats>();
        }

        // Where the baseline lives, its shape and the district's number are this engine's own.
        read.District = series.District;
        read.Offset = series.Offset;
        read.Slots = series.Slots;
        read.SlotMs = series.SlotMs;
        read.PeriodMs = series.PeriodMs;
        series = read;
    }
}
