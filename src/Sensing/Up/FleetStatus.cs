using Sensing.Sim;
using Sensing.Simulators.Load;
using Sensing.Simulators.Publishing;

namespace Sensing.Up;

/// <summary>The latest status line of each simulator shard process, summed.</summary>
public sealed class FleetStatus(int shards)
{
    private readonly ShardStatus[] _latest = new ShardStatus[shards];
    private readonly LatencyHistogram?[] _ackLatency = new LatencyHistogram?[shards];

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

    /// <summary>
    /// The honest devices' PUBLISH-to-PUBACK latencies over every shard that has ended (each prints its histogram as it
    /// ends), microseconds; empty before.
    /// </summary>
    public LatencyHistogram AckLatency
    {
        get
        {
            var sum = new LatencyHistogram();
            lock (_latest)
            {
                foreach (var shard in _ackLatency)
                {
                    if (shard is not null)
                    {
                        sum.Add(shard);
                    }
                }
            }

            return sum;
        }
    }

    /// <summary>Shards whose PUBLISH-to-PUBACK histogram has arrived.</summary>
    public int AckLatencyShards
    {
        get
        {
            lock (_latest)
            {
                return _ackLatency.Count(h => h is not null);
            }
        }
    }

    /// <summary>Takes a line a shard printed; lines that are not status or latency lines are ignored.</summary>
    public void Update(int shard, string line)
    {
        if (ShardStatus.TryParse(line, out var status))
        {
            lock (_latest)
            {
                _latest[shard] = status;
            }
        }
        else if (ShardStatus.TryParseAckLatency(line, out var latency))
        {
            lock (_latest)
            {
                _ackLatency[shard] = latency;
            }
        }
    }
}
