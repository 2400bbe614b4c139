using Polly;
using Polly.CircuitBreaker;

namespace Sensing.Kafka;

/// <summary>What the circuit asks the producer it guards.</summary>
public interface IProducerHealth
{
    /// <summary>True when records wait for the broker and no delivery report came for <paramref name="timeout"/>.</summary>
    bool IsStalled(TimeSpan timeout);

    /// <summary>True when a broker answers a metadata request within <paramref name="timeout"/>.</summary>
    bool Probe(TimeSpan timeout);
}

/// <summary>
/// A Polly circuit breaker in front of <see cref="RecordProducer"/>. Its outcomes are the producer's: every delivery
/// report (success or failure), every broker-level error (all brokers down, transport failures) and, checked every half
/// break duration, a stall (records waiting, no report for <see cref="ProducerCircuitOptions.StallTimeout"/>). When half of the
/// recent outcomes failed the circuit opens: callers of <see cref="WhenClosedAsync"/> wait, so a gateway stops taking
/// readings (and stops reading its sockets) instead of piling them up for a broker that is away. While open, a probe
/// (a metadata request) runs once per break duration; when it succeeds, or a held-back delivery succeeds, the circuit
/// closes and the waiters go on.
/// </summary>
public sealed class ProducerCircuit : IDisposable
{
    private readonly ResiliencePipeline<bool> _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly IProducerHealth _health;
    private readonly ProducerCircuitOptions _options;
    private readonly Timer _probeTimer;
    private readonly Lock _gate = new();
    private TaskCompletionSource _closed = NewClosedSignal(completed: true);
    private long _opened;
    private long _openedAt;
    private int _probing;

    /// <summary>Creates the breaker over the producer's <paramref name="health"/>.</summary>
    public ProducerCircuit(ProducerCircuitOptions options, IProducerHealth health)
    {
        _options = options.Validate();
        _health = health;
        _pipeline = new ResiliencePipelineBuilder<bool>().AddCircuitBreaker(new CircuitBreakerStrategyOptions<bool>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            ShouldHandle = new PredicateBuilder<bool>().HandleResult(false),
            StateProvider = _state,
            OnOpened = _ =>
            {
                Interlocked.Increment(ref _opened);
                Volatile.Write(ref _openedAt, Environment.TickCount64);
                lock (_gate)
                {
                    if (_closed.Task.IsCompleted)
                    {
                        _closed = NewClosedSignal(completed: false);
                    }
                }

                return default;
            },
            OnClosed = _ =>
            {
                lock (_gate)
                {
                    _closed.TrySetResult();
                }

                return default;
            },
        }).Build();
        var period = options.BreakDuration / 2;
        _probeTimer = new Timer(static s => ((ProducerCircuit)s!).Check(), this, period, period);
    }

    /// <summary>True while the circuit is open (or half-open: a probe is deciding).</summary>
    public bool IsOpen => _state.CircuitState != CircuitState.Closed;

    /// <summary>The breaker's state.</summary>
    public CircuitState State => _state.CircuitState;

    /// <summary>Times the circuit opened since start.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Completes at once while the circuit is closed; otherwise when it closes.</summary>
    public Task WhenClosedAsync(CancellationToken cancellationToken)
    {
        Task closed;
        lock (_gate)
        {
            closed = _closed.Task;
        }

        return closed.IsCompleted ? Task.CompletedTask : closed.WaitAsync(cancellationToken);
    }

    /// <summary>Records one outcome: a delivery report or a broker error. Runs on the client's threads; never throws.</summary>
    public void Report(bool success)
    {
        if (_state.CircuitState != CircuitState.Closed)
        {
            // Open: outcomes of records sent before it opened decide nothing; a success closes it through the probe path.
            if (success)
            {
                ProbeIfOpen(assumeHealthy: true);
            }

            return;
        }

        try
        {
            _pipeline.Execute(static ok => ok, success);
        }
        catch (BrokenCircuitException)
        {
            // Opened meanwhile by another outcome.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _probeTimer.Dispose();
        lock (_gate)
        {
            _closed.TrySetResult();
        }
    }

    private void Check()
    {
        if (_state.CircuitState == CircuitState.Closed)
        {
            if (_health.IsStalled(_options.StallTimeout))
            {
                Report(success: false);
            }

            return;
        }

        ProbeIfOpen(assumeHealthy: false);
    }

    private void ProbeIfOpen(bool assumeHealthy)
    {
        // Polly refuses every execution during the break with an exception: do not ask before it has passed.
        if (_state.CircuitState == CircuitState.Closed
            || Environment.TickCount64 - Volatile.Read(ref _openedAt) < (long)_options.BreakDuration.TotalMilliseconds
            || Interlocked.Exchange(ref _probing, 1) != 0)
        {
            return;
        }

        try
        {
            // After the break duration Polly lets exactly one execution through (half-open); its result closes the
            // circuit or opens it for another break. Before that it throws BrokenCircuitException at once.
            _pipeline.Execute(static s => s.Healthy || s.Circuit._health.Probe(s.Circuit._options.ProbeTimeout), (Circuit: this, Healthy: assumeHealthy));
        }
        catch (BrokenCircuitException)
        {
            // Still within the break duration.
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    private static TaskCompletionSource NewClosedSignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            signal.SetResult();
        }

        return signal;
    }
}
