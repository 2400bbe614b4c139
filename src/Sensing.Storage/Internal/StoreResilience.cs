using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Sensing.Storage.Internal;

/// <summary>
/// The Polly pipeline around one POST of a batch, outermost first: retry (exponential backoff with jitter),
/// circuit breaker (stops hammering a store that keeps failing; attempts while open fail at once and are retried
/// later), timeout per attempt.
/// </summary>
internal sealed class StoreResilience
{
    public StoreResilience(StoreWriterOptions options, Action onRetry, Action onCircuitOpened)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                // Jitter spreads out writers that all failed at the same moment (e.g. a store restart).
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = _ =>
                {
                    onRetry();
                    return default;
                },
            });
        }

        Pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not BrokenCircuitException && IsTransient(e)),
                FailureRatio = options.CircuitBreakerFailureRatio,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                BreakDuration = options.CircuitBreakerBreakDuration,
                OnOpened = _ =>
                {
                    onCircuitOpened();
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    /// <summary>The pipeline; safe to share between calls.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>Failures worth another attempt: the store's 5xx/408/429, connection errors, timeouts, an open circuit.</summary>
    public static bool IsTransient(Exception e) =>
        e is StoreUnavailableException or HttpRequestException or TimeoutRejectedException or BrokenCircuitException;
}
