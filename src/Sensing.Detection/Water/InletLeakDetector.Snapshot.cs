using Sensing.Detection.Internal;

namespace Sensing.Detection.Water;

/// <summary>Per-meter state (profile, today's hours, step candidates, CUSUM, b_ref) and the district's open leak alerts for checkpoints.</summary>
public sealed partial class InletLeakDetector
{
    internal static int MeterSize => StateWriter.SizeOf<Meter>();

    internal static int CandidateSize => StateWriter.SizeOf<StepCandidate>();

    internal void WriteState(int index, StateWriter writer)
    {
        ref var meter = ref _meters[index];
        writer.WriteStruct(in meter);
        if (!meter.Inlet)
        {
            // A DMA meter has no inlet-leak state beyond its role.
            return;
        }

        foreach (var p in _profiles.AsSpan(index * Slots, Slots))
        {
            writer.WriteStruct(in p);
        }

        foreach (var c in _slotCounts.AsSpan(index * Slots, Slots))
        {
            writer.WriteInt32(c);
        }

        foreach (var y in _dayHours.AsSpan(index * 24, 24))
        {
            writer.WriteStruct(in y);
        }

        foreach (var y in _recentY.AsSpan(index * RecentHours, RecentHours))
        {
            writer.WriteStruct(in y);
        }

        foreach (var p in _recentP.AsSpan(index * RecentHours, RecentHours))
        {
            writer.WriteStruct(in p);
        }

        foreach (var c in _candidates.AsSpan(index * Onsets, Onsets))
        {
            writer.WriteStruct(in c);
        }
    }

    internal void ReadState(int index, ref StateReader reader)
    {
        ref var meter = ref _meters[index];
        var read = reader.ReadStruct<Meter>();
        if (!read.Inlet)
        {
            return;
        }

        var profile = _profiles.AsSpan(index * Slots, Slots);
        var counts = _slotCounts.AsSpan(index * Slots, Slots);
        var day = _dayHours.AsSpan(index * 24, 24);
        var keep = read.Inlet == meter.Inlet;
        for (var s = 0; s < Slots; s++)
        {
            var p = reader.ReadStruct<double>();
            profile[s] = keep ? p : profile[s];
        }

        for (var s = 0; s < Slots; s++)
        {
            var c = reader.ReadInt32();
            counts[s] = keep ? c : counts[s];
        }

        for (var h = 0; h < 24; h++)
        {
            var y = reader.ReadStruct<double>();
            day[h] = keep ? y : day[h];
        }

        var recentY = _recentY.AsSpan(index * RecentHours, RecentHours);
        var recentP = _recentP.AsSpan(index * RecentHours, RecentHours);
        for (var h = 0; h < RecentHours; h++)
        {
            var y = reader.ReadStruct<double>();
            recentY[h] = keep ? y : recentY[h];
        }

        for (var h = 0; h < RecentHours; h++)
        {
            var p = reader.ReadStruct<double>();
            recentP[h] = keep ? p : recentP[h];
        }

        var candidates = _candidates.AsSpan(index * Onsets, Onsets);
        for (var j = 0; j < Onsets; j++)
        {
            var c = reader.ReadStruct<StepCandidate>();
            candidates[j] = keep ? c : candidates[j];
        }

        if (keep)
        {
            // The district's number is this engine's own.
            read.District = meter.District;
            meter = read;
        }
    }

    internal void WriteDistrict(int k, StateWriter writer)
    {
        var open = k < _openOfDistrict.Count ? _openOfDistrict[k] : [];
        writer.WriteInt32(open.Count);
        foreach (var (id, raisedAtMs) in open)
        {
            writer.WriteString(id);
            writer.WriteInt64(raisedAtMs);
        }
    }

    internal void ReadDistrict(int k, ref StateReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > reader.Remaining)
        {
            throw new InvalidDataException("detection snapshot: bad inlet-leak alert count");
        }

        var open = _openOfDistrict[k];
        ActiveCount -= open.Count;
        open.Clear();
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString() ?? throw new InvalidDataException("detection snapshot: inlet-leak alert without an id");
            open.Add((id, reader.ReadInt64()));
        }

        ActiveCount += open.Count;
    }
}
