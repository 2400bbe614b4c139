using System.Globalization;
using Sensing.Core.Devices;
using Sensing.Rules;
using Sensing.Simulators.City;
using Sensing.Simulators.Incidents;

namespace Sensing.Up;

/// <summary>Settings of <c>sensing up</c>.</summary>
public sealed record UpOptions
{
    /// <summary>
    /// One gateway process holds at most this many persistent sessions: the open-files limit is 20,000 here, and the rest
    /// is room for the devices that connect, publish and disconnect, Kafka's sockets and the process's own files.
    /// </summary>
    public const int SessionsPerGateway = 16_000;

    /// <summary>
    /// The gateways a city with <paramref name="persistentSessions"/> needs: enough that the others still hold every
    /// session under <see cref="SessionsPerGateway"/> when one is lost (its devices move to them), at least two. Each
    /// process has its own fixed memory (code, runtime, the whole registry), so no more than that.
    /// </summary>
    public static int GatewaysFor(int persistentSessions) => Math.Max(2, (persistentSessions + SessionsPerGateway - 1) / SessionsPerGateway + 1);

    /// <summary>One simulator shard process holds at most this many persistent sessions.</summary>
    public const int SessionsPerShard = 16_000;

    /// <summary>Most hostile packets of one fuzz run.</summary>
    public const long MaxFuzzPackets = 100_000_000;

    /// <summary>Most hostile connections open at once.</summary>
    public const int MaxFuzzConcurrency = 4_096;

    /// <summary>Defaults: the whole default city (190,000 devices, 100 districts) for ten minutes at the kinds' own intervals.</summary>
    public static UpOptions Default { get; } = new();

    /// <summary>Simulated devices.</summary>
    public int Devices { get; init; } = 190_000;

    /// <summary>How long the fleet publishes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Seconds between two readings of one device; null: each kind's own interval (DOMAIN.md).</summary>
    public double? ReportIntervalSeconds { get; init; }

    /// <summary>Gateway processes; 0: as many as the persistent sessions need (at least two, so one can be lost).</summary>
    public int Gateways { get; init; }

    /// <summary>Processor processes in one consumer group.</summary>
    public int Processors { get; init; } = 2;

    /// <summary>
    /// Store sink processes (<c>processor --role Store</c>, a consumer group of their own) beside the processors, which
    /// then only detect: the store never holds an alert back. 0: the processors write the store themselves.
    /// </summary>
    public int StoreSinks { get; init; } = 1;

    /// <summary>When, as a fraction of the run, one gateway is killed (SIGKILL); null: none is.</summary>
    public double? GatewayKillAt { get; init; } = 0.4;

    /// <summary>
    /// Seed of a fault run (<c>--faults SEED</c>): one gateway, a processor, the Kafka broker, the store and the feed are
    /// each killed or stopped once, one after another at seeded moments (<see cref="FaultPlan"/>), and the summary
    /// balances the books from the devices' ack logs; null: the plain run (one gateway killed at
    /// <see cref="GatewayKillAt"/>).
    /// </summary>
    public int? FaultSeed { get; init; }

    /// <summary>
    /// Hostile MQTT packets of a fuzz run (<c>--fuzz PACKETS</c>): once the city is steady, <c>sensing load fuzz</c> runs as
    /// a process of its own against the gateways (<see cref="CityFuzz"/>), and the summary gives how each of its
    /// connections was ended and the honest devices' PUBACK latency under it; 0: no fuzzer.
    /// </summary>
    public long FuzzPackets { get; init; }

    /// <summary>Hostile connections open at once in a fuzz run.</summary>
    public int FuzzConcurrency { get; init; } = 256;

    /// <summary>Seed of the fuzzer's cases and bytes.</summary>
    public int FuzzSeed { get; init; } = 1;

    /// <summary>
    /// The delay honest devices may see in a fuzz run: their PUBLISH-to-PUBACK p99 must stay under it, ms. Every run
    /// reports the p99 (<c>ack_p99_ms</c>), so a run without <c>--fuzz</c> is the baseline to compare with; the bound is
    /// the stated promise, a reading acknowledged within 5 s for 99 in 100 while the gateways are under attack.
    /// </summary>
    public double FuzzAckP99BoundMs { get; init; } = 5_000;

    /// <summary>True in a fuzz run.</summary>
    public bool Fuzzing => FuzzPackets > 0;

    /// <summary>
    /// When the plain run kills a gateway, or null: a fuzz run kills none, as the hostile connections a SIGKILL cuts
    /// (reset, closed before their CONNACK) are the kill's endings, not the gateway's answer to their input.
    /// </summary>
    public double? GatewayKillMoment => Fuzzing ? null : GatewayKillAt;

    /// <summary>Keep servers, gateways, processors and feed running after the summary until Ctrl+C.</summary>
    public bool KeepRunning { get; init; }

    /// <summary>Seed of the fleet and its incidents.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// The executable of the gateway processes: a native build of <c>sensing</c> (<c>scripts/native.sh</c>; no JIT, a
    /// smaller resident set per connection), or empty for this executable.
    /// </summary>
    public string GatewayExecutable { get; init; } = "";

    /// <summary>Water-network districts: 100 for the whole city, fewer for a small one.</summary>
    public int Districts => Devices >= 2_000 ? Math.Clamp(Devices / 1_900, 8, 100) : Math.Clamp(Devices / 250, 1, 8);

    /// <summary>The city the run simulates.</summary>
    public CityOptions City => new()
    {
        Devices = Devices,
        Districts = Districts,
        Seed = Seed,
        ReportSecondsOverride = ReportIntervalSeconds is { } s ? (int)Math.Ceiling(s) : null,
    };

    /// <summary>The processor's rules (<c>--rules</c>, watched for changes while the city runs), or null for the defaults.</summary>
    public RuleSet? Rules { get; init; }

    /// <summary>Checks the options; throws naming the bad key.</summary>
    public UpOptions Validate()
    {
        if (Devices is < 50 or > 250_000)
        {
            throw new ArgumentException("--devices: must be 50-250000 on one machine (a smaller city has no room for its incidents)");
        }

        if (ReportIntervalSeconds is { } interval && !(interval >= 1 && interval <= 3_600))
        {
            throw new ArgumentException($"--interval: must be 1-3600 seconds, was {interval}");
        }

        if (Gateways is < 0 or > 32)
        {
            throw new ArgumentException($"--gateways: must be 0 (as many as the sessions need) to 32, was {Gateways}");
        }

        if (GatewayExecutable.Length != 0 && !File.Exists(GatewayExecutable))
        {
            throw new ArgumentException($"--gateway-exe: '{GatewayExecutable}' is not a file (build it with scripts/native.sh)");
        }

        if (Processors is < 1 or > 6)
        {
            throw new ArgumentException($"--processors: must be 1-6 (sensing.telemetry has 6 partitions), was {Processors}");
        }

        if (StoreSinks is < 0 or > 6)
        {
            throw new ArgumentException($"--store-sinks: must be 0-6 (sensing.telemetry has 6 partitions), was {StoreSinks}");
        }

        if (FaultSeed is not null && Duration < FaultPlan.MinimumDuration)
        {
            throw new ArgumentException($"--duration: a fault run needs at least {FaultPlan.MinimumDuration.TotalSeconds:0} seconds (the store stays down for minutes), was {Duration.TotalSeconds:0}");
        }

        if (FaultSeed is not null && StoreSinks == 0)
        {
            throw new ArgumentException("--store-sinks: a fault run needs at least one store sink (it stops the store while the processors detect)");
        }

        if (FuzzPackets is < 0 or > MaxFuzzPackets)
        {
            throw new ArgumentException($"--fuzz: must be 1-{MaxFuzzPackets} hostile packets (0: no fuzzer), was {FuzzPackets}");
        }

        if (FuzzConcurrency is < 1 or > MaxFuzzConcurrency)
        {
            // Every hostile connection is a file in the fuzzer and in a gateway, which holds at most 16,000 sessions in 20,000.
            throw new ArgumentException($"--fuzz-concurrency: must be 1-{MaxFuzzConcurrency} connections at once, was {FuzzConcurrency}");
        }

        if (Fuzzing && FaultSeed is not null)
        {
            throw new ArgumentException("--fuzz: not with --faults (a fault run's recoveries and a fuzz run's latencies would blur each other); give one of them");
        }

        if (GatewayKillAt is { } at && !(at > 0.1 && at < 0.8))
        {
            throw new ArgumentException($"gateway kill: must come between 10 % and 80 % of the run, was {at:P0}");
        }

        // The injected leak (methane to level 2) needs a few readings of its detector inside its window of the run.
        var methaneInterval = City.IntervalSeconds(DeviceKind.MethaneDetector);
        if (Duration < TimeSpan.FromSeconds(20) || !IncidentPlan.FitsShortRun(IncidentKind.MethaneLevel2, methaneInterval, Duration))
        {
            var least = Enumerable.Range(20, 100_000).First(s => IncidentPlan.FitsShortRun(IncidentKind.MethaneLevel2, methaneInterval, TimeSpan.FromSeconds(s)));
            var with = ReportIntervalSeconds is { } given
                ? string.Create(CultureInfo.InvariantCulture, $"--interval {given}")
                : $"methane detectors at their own interval ({methaneInterval} s)";
            throw new ArgumentException(
                $"--duration: must be at least {least} seconds with {with} (the injected leak needs four readings of its detector), was {Duration.TotalSeconds:0}");
        }

        return this;
    }
}
