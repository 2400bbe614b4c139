using System.Diagnostics;
using Sensing.Kafka;
using Sensing.LocalServers;
using Sensing.Simulators.Publishing;

namespace Sensing.Up;

/// <summary>What became of one planned fault.</summary>
/// <param name="Fault">The plan's fault.</param>
/// <param name="Victim">The part that was killed or stopped.</param>
/// <param name="InjectedAtMs">When it was killed or stopped, Unix ms; null if the run ended first.</param>
/// <param name="BackAtMs">When the part was started again (for a gateway: when its last device was back elsewhere).</param>
/// <param name="RecoveredAtMs">When the pipeline had caught up with everything that arrived while the part was down.</param>
/// <param name="Recovery">What "recovered" means for this kind of fault.</param>
public sealed record FaultOutcome(PlannedFault Fault, string Victim, long? InjectedAtMs, long? BackAtMs, long? RecoveredAtMs, string Recovery)
{
    /// <summary>Time from the fault to recovery; null when it did not recover within the run.</summary>
    public TimeSpan? TimeToRecover => InjectedAtMs is { } at && RecoveredAtMs is { } back ? TimeSpan.FromMilliseconds(back - at) : null;
}

/// <summary>
/// Injects a <see cref="FaultPlan"/> into a running city, driven by the run's one-second loop (<see cref="Observe"/>), so
/// parts that are restarted join the run's list of parts on the loop's thread. Each fault goes: injected, down for its
/// time, restarted (a task for the broker and the store, which take seconds to start), then followed until the pipeline
/// has caught up with what arrived meanwhile:
/// <list type="bullet">
/// <item>gateway: every dropped session is back through the other gateways (<see cref="GatewayStorm"/>);</item>
/// <item>processor and broker: the processors' group committed every record that was in <c>sensing.telemetry</c> when
/// the part came back (and for the broker, readings are acknowledged again);</item>
/// <item>store: the store sinks committed (stored) every record that was in the topic when the store came back;</item>
/// <item>feed: <c>/health</c> says its view is rebuilt from <c>sensing.alerts</c>.</item>
/// </list>
/// </summary>
public sealed class FaultRun(
    IReadOnlyList<PlannedFault> plan, List<PartProcess> parts, LocalKafka kafkaServer, LocalVictoriaMetrics store, KafkaOptions kafka,
    string processorGroup, string? storeSinkGroup, string feedUrl, GatewayStorm storm) : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly State[] _states = [.. plan.Select(f => new State(f))];
    private readonly TopicInspector _inspector = new(kafka);
    private readonly List<PartProcess> _killed = [];
    private int _restarts;

    /// <summary>The faults and what became of them so far.</summary>
    public IReadOnlyList<FaultOutcome> Outcomes => [.. _states.Select(s => s.Outcome)];

    /// <summary>Parts killed on purpose (they do not count as crashed).</summary>
    public IReadOnlyCollection<PartProcess> Killed => _killed;

    /// <summary>True once every fault was injected and its part is back (recovery may still be followed).</summary>
    public bool AllBack => _states.All(s => s.Outcome.BackAtMs is not null);

    /// <summary>Advances every fault; called about once a second by the run's loop.</summary>
    public void Observe(long nowMs, PublishSnapshot fleet, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        foreach (var state in _states)
        {
            try
            {
                Step(state, nowMs, fleet, log);
            }
            catch (Exception e) when (e is InvalidOperationException or LocalServerException or Confluent.Kafka.KafkaException)
            {
                log($"fault {state.Fault.Kind}: {e.Message}");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _inspector.Dispose();

    private void Step(State state, long nowMs, PublishSnapshot fleet, Action<string> log)
    {
        var fault = state.Fault;
        if (state.Outcome.InjectedAtMs is null)
        {
            if (fault.Kind == FaultKind.GatewayKill)
            {
                // The storm kills the gateway at the plan's moment (it also samples the gateways' memory first).
                if (storm.KilledAtMs is { } killed)
                {
                    _killed.Add(storm.Victim);
                    state.Outcome = state.Outcome with { Victim = storm.Victim.Name, InjectedAtMs = killed };
                }

                return;
            }

            if (nowMs >= fault.AtMs)
            {
                Inject(state, nowMs, log);
            }

            return;
        }

        if (state.Outcome.BackAtMs is null)
        {
            if (fault.Kind == FaultKind.GatewayKill)
            {
                if (storm.Recovery is { } recovery)
                {
                    var back = state.Outcome.InjectedAtMs!.Value + (long)recovery.TotalMilliseconds;
                    state.Outcome = state.Outcome with { BackAtMs = back, RecoveredAtMs = back };
                }

                return;
            }

            if (state.Restoring is null && nowMs >= state.Outcome.InjectedAtMs + (long)fault.Down.TotalMilliseconds)
            {
                state.Restoring = Restore(state, log);
            }

            if (state.Restoring is { IsCompleted: true } restoring)
            {
                if (restoring.IsFaulted)
                {
                    log($"fault {fault.Kind}: restart failed: {restoring.Exception!.GetBaseException().Message}; trying again");
                    state.Restoring = null;
                    return;
                }

                state.Outcome = state.Outcome with { BackAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
                state.AckedAtBack = fleet.Acked;
                state.RecordsAtBack = CityRun.Safe(() => _inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(5)));
                log($"fault {fault.Kind}: {state.Outcome.Victim} is back after {(state.Outcome.BackAtMs - state.Outcome.InjectedAtMs) / 1000.0:0.0} s; " +
                    $"following recovery ({state.Outcome.Recovery})");
            }

            return;
        }

        if (state.Outcome.RecoveredAtMs is null && Recovered(state, fleet))
        {
            state.Outcome = state.Outcome with { RecoveredAtMs = nowMs };
            log($"fault {fault.Kind}: recovered {state.Outcome.TimeToRecover!.Value.TotalSeconds:0} s after it began");
        }
    }

    private void Inject(State state, long nowMs, Action<string> log)
    {
        switch (state.Fault.Kind)
        {
            case FaultKind.ProcessorKill:
                KillPart(state, "processor", nowMs, "the processors committed every record in Kafka at the restart");
                break;
            case FaultKind.BrokerKill:
                kafkaServer.KillBroker();
                state.Outcome = state.Outcome with { Victim = "kafka broker", InjectedAtMs = nowMs, Recovery = "readings acknowledged again and the processors committed every record in Kafka at the restart" };
                break;
            case FaultKind.StoreStop:
                state.Outcome = state.Outcome with { Victim = "victoria-metrics", InjectedAtMs = nowMs, Recovery = "the store sinks stored every record in Kafka at the restart" };
                state.Stopping = store.StopAsync();
                break;
            case FaultKind.FeedKill:
                KillPart(state, "feed", nowMs, "the restarted feed rebuilt its view from sensing.alerts");
                break;
            case FaultKind.GatewayKill:
            default:
                return;
        }

        log($"fault {state.Fault.Kind}: {state.Outcome.Victim} {(state.Fault.Kind == FaultKind.StoreStop ? "stopped" : "killed (SIGKILL)")}; back in {state.Fault.Down.TotalSeconds:0} s");
    }

    // SIGKILL of the first running part of the kind; it is started again by Restore.
    private void KillPart(State state, string kind, long nowMs, string recovery)
    {
        var victim = parts.First(p => p.Kind == kind && !p.HasExited);
        victim.Kill();
        _killed.Add(victim);
        state.Victim = victim;
        state.Outcome = state.Outcome with { Victim = victim.Name, InjectedAtMs = nowMs, Recovery = recovery };
    }

    private Task Restore(State state, Action<string> log)
    {
        switch (state.Fault.Kind)
        {
            case FaultKind.ProcessorKill:
            case FaultKind.FeedKill:
                var victim = state.Victim!;
                var again = victim.Restart($"{victim.Name}-restart-{++_restarts}");
                parts.Add(again);
                log($"fault {state.Fault.Kind}: {victim.Name} started again as {again.Name} (pid {again.Id})");
                return state.Fault.Kind == FaultKind.FeedKill ? WaitForFeedAsync() : Task.CompletedTask;
            case FaultKind.BrokerKill:
                return kafkaServer.StartBrokerAsync();
            case FaultKind.StoreStop:
                return (state.Stopping ?? Task.CompletedTask).ContinueWith(_ => store.StartAsync(), TaskScheduler.Default).Unwrap();
            case FaultKind.GatewayKill:
            default:
                return Task.CompletedTask;
        }
    }

    private bool Recovered(State state, PublishSnapshot fleet)
    {
        if (state.RecordsAtBack < 0)
        {
            // The broker did not answer at the restart: the records now are the (slightly later) target.
            state.RecordsAtBack = CityRun.Safe(() => _inspector.CountRecords(kafka.Topics.Telemetry, TimeSpan.FromSeconds(5)));
            return false;
        }

        return RecoveredNow(state, fleet);
    }

    private bool RecoveredNow(State state, PublishSnapshot fleet) => state.Fault.Kind switch
    {
        FaultKind.ProcessorKill => Committed(processorGroup) >= state.RecordsAtBack,
        FaultKind.BrokerKill => fleet.Acked > state.AckedAtBack && Committed(processorGroup) >= state.RecordsAtBack,
        FaultKind.StoreStop => Committed(storeSinkGroup ?? processorGroup) >= state.RecordsAtBack,
        FaultKind.FeedKill => true,
        _ => true,
    };

    private long Committed(string group) => CityRun.Safe(() => _inspector.CommittedRecords(kafka.Topics.Telemetry, group, TimeSpan.FromSeconds(5)));

    private async Task WaitForFeedAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                if ((await Http.GetStringAsync(feedUrl + "/health")).Contains("\"ok\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not up yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("the restarted feed did not report its view rebuilt within 5 min");
    }

    private sealed class State(PlannedFault fault)
    {
        public PlannedFault Fault { get; } = fault;

        public FaultOutcome Outcome { get; set; } = new(fault, "", null, null, null,
            fault.Kind == FaultKind.GatewayKill ? "every dropped session back through the other gateways" : "");

        public PartProcess? Victim { get; set; }

        public Task? Restoring { get; set; }

        public Task? Stopping { get; set; }

        public long AckedAtBack { get; set; }

        public long RecordsAtBack { get; set; }
    }
}
