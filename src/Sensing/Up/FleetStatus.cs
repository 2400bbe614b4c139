using Sensing.Sim;
using Sensing.Simulators.Publishing;

namespace Sensing.Up;

/// <summary>The latest status line of each simulator shard process, summed.</summary>
public sealed class FleetStatus(int shards)
{
    private readonly ShardStatus[] _latest = new ShardStatus[shards];

    /// <summary>Every shard's counters summed.</summary>
    public PublishSnapshot Sum
    {
        get
        {
            lock (_latest)
            {
                return _latest.Aggregate(default(PublishSnapshot), (sum, s) => sum + s.Counters);
            }
        }
    }

    /// <summary>Takes a line a shard printed; lines that are not status lines are ignored.</summary>
    public void Update(int shard, string line)
    {
        if (ShardStatus.TryParse(line, out var status))
        {
            lock (_latest)
            {
                _latest[shard] = status;
            }
        }
    }
}
