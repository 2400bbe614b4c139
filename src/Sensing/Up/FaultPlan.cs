namespace Sensing.Up;

/// <summary>A kind of fault the fault run injects.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL of a gateway; its devices connect again through the others (it is not restarted).</summary>
    GatewayKill,

    /// <summary>SIGKILL of a detecting processor, started again after a pause.</summary>
    ProcessorKill,

    /// <summary>SIGKILL of the Kafka broker, started again after a pause.</summary>
    BrokerKill,

    /// <summary>The store stopped (SIGTERM) for minutes, then started again.</summary>
    StoreStop,

    /// <summary>SIGKILL of the alert feed, started again after a pause (its view rebuilt from <c>sensing.alerts</c>).</summary>
    FeedKill,
}

/// <summary>One fault of a plan: what, when (Unix ms) and for how long the part stays down.</summary>
public sealed record PlannedFault(FaultKind Kind, long AtMs, TimeSpan Down);

/// <summary>
/// The faults of a fault run, one of each kind, one after another at seeded random moments while the city publishes:
/// the order is a seeded shuffle and the quiet gaps between faults are seeded random shares of the time left, so no
/// one chooses the moments and the same seed repeats them. Each fault gets its down time plus
/// <see cref="RecoveryAllowance"/> before the next one starts.
/// </summary>
public static class FaultPlan
{
    /// <summary>Time given to each fault after its part is back, before the next fault may begin.</summary>
    public static readonly TimeSpan RecoveryAllowance = TimeSpan.FromSeconds(30);

    /// <summary>The faults begin after this share of the run (every persistent session publishing) ...</summary>
    public const double WindowStart = 0.1;

    /// <summary>... and are over before this share of it, so the run ends with everything up.</summary>
    public const double WindowEnd = 0.85;

    /// <summary>How long the store stays stopped at least: a fifth of the run, between one and four minutes (plus up to a twentieth of the run).</summary>
    public static TimeSpan StoreDown(TimeSpan duration) => TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 5, 60, 240));

    /// <summary>The shortest run the plan fits in.</summary>
    public static TimeSpan MinimumDuration => TimeSpan.FromMinutes(7);

    /// <summary>Plans the faults of a run that publishes from <paramref name="startMs"/> for <paramref name="duration"/>.</summary>
    /// <exception cref="ArgumentException">The run is too short for the faults (the message names <c>--duration</c>).</exception>
    public static IReadOnlyList<PlannedFault> Create(int seed, long startMs, TimeSpan duration)
    {
        var random = new Random(seed);
        var down = new Dictionary<FaultKind, TimeSpan>
        {
            [FaultKind.GatewayKill] = TimeSpan.Zero,
            [FaultKind.ProcessorKill] = TimeSpan.FromSeconds(random.Next(5, 21)),
            [FaultKind.BrokerKill] = TimeSpan.FromSeconds(random.Next(5, 21)),
            [FaultKind.StoreStop] = StoreDown(duration) + TimeSpan.FromSeconds(random.Next(0, 1 + (int)(duration.TotalSeconds / 20))),
            [FaultKind.FeedKill] = TimeSpan.FromSeconds(random.Next(2, 11)),
        };
        var order = Enum.GetValues<FaultKind>().ToArray();
        random.Shuffle(order);

        var window = duration * (WindowEnd - WindowStart);
        var busy = down.Values.Aggregate(TimeSpan.Zero, (sum, d) => sum + d + RecoveryAllowance);
        if (busy > window)
        {
            throw new ArgumentException(
                $"--duration: {duration.TotalSeconds:0} s is too short for --faults (the faults and their recoveries need {busy.TotalSeconds:0} s " +
                $"between {WindowStart:P0} and {WindowEnd:P0} of the run; at least {MinimumDuration.TotalMinutes:0} min)");
        }

        // Seeded shares of the slack before each fault (and one after the last).
        var shares = Enumerable.Range(0, order.Length + 1).Select(_ => random.NextDouble() + 0.1).ToArray();
        var slack = (window - busy).TotalMilliseconds / shares.Sum();
        var at = startMs + (long)(duration.TotalMilliseconds * WindowStart);
        var plan = new List<PlannedFault>();
        for (var i = 0; i < order.Length; i++)
        {
            at += (long)(shares[i] * slack);
            plan.Add(new PlannedFault(order[i], at, down[order[i]]));
            at += (long)(down[order[i]] + RecoveryAllowance).TotalMilliseconds;
        }

        return plan;
    }
}
