namespace Sensing.Storage;

/// <summary>Where and how <see cref="StoreWriter"/> writes. Checked by <see cref="Validate"/> when a writer is built.</summary>
public sealed record StoreWriterOptions
{
    /// <summary>VictoriaMetrics on its default local port, gzip, 1 MiB / 5000-line batches.</summary>
    public static StoreWriterOptions Default { get; } = new();

    /// <summary>Base URL of the store, e.g. <c>http://127.0.0.1:8428</c>; a path prefix is kept (vminsert's
    /// <c>/insert/0/influx</c>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:8428";

    /// <summary>The write API to use.</summary>
    public StoreApi Api { get; init; } = StoreApi.VictoriaMetrics;

    /// <summary>Database name; required for <see cref="StoreApi.InfluxV1"/>.</summary>
    public string? Database { get; init; }

    /// <summary>Organization for <see cref="StoreApi.InfluxV2"/>; optional (InfluxDB 3 ignores it).</summary>
    public string? Organization { get; init; }

    /// <summary>Bucket (InfluxDB 3: database); required for <see cref="StoreApi.InfluxV2"/>.</summary>
    public string? Bucket { get; init; }

    /// <summary>API token sent as <c>Authorization: Token ...</c> with <see cref="StoreApi.InfluxV2"/>; none if null.</summary>
    public string? Token { get; init; }

    /// <summary>A batch is sent once it holds this many bytes (uncompressed).</summary>
    public int BatchMaxBytes { get; init; } = 1 << 20;

    /// <summary>A batch is sent once it holds this many lines (InfluxData's guidance: batches of 5000 lines).</summary>
    public int BatchMaxLines { get; init; } = 5000;

    /// <summary>
    /// Bound on bytes held by the writer: the batch being filled plus batches sent and not yet accepted. When it is
    /// reached, <see cref="StoreWriter.TryAppend(ReadOnlySpan{byte})"/> returns false until the store catches up.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 16L << 20;

    /// <summary>Compress request bodies with gzip (<c>Content-Encoding: gzip</c>); all three APIs accept it.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>Retries after the first attempt on 5xx, 408, 429, connection errors and timeouts.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Delay before the first retry; doubled for each further retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for one HTTP attempt, response headers and error text included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit opens when at least this share of attempts in <see cref="CircuitBreakerSamplingDuration"/>
    /// failed (0 to 1).</summary>
    public double CircuitBreakerFailureRatio { get; init; } = 0.5;

    /// <summary>Attempts needed in <see cref="CircuitBreakerSamplingDuration"/> before the circuit may open (at least 2).</summary>
    public int CircuitBreakerMinimumThroughput { get; init; } = 10;

    /// <summary>Window over which the failure ratio is measured (at least 0.5 s).</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an open circuit refuses attempts without sending (at least 0.5 s); then one trial attempt decides
    /// whether it closes. Refused attempts count as retries.
    /// </summary>
    public TimeSpan CircuitBreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <see cref="StoreWriter.DisposeAsync"/> waits for unsent batches before cancelling them.</summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not usable.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            Throw(nameof(Url), $"'{Url}' is not an absolute http:// or https:// URL without query or fragment");
        }

        if (!Enum.IsDefined(Api))
        {
            Throw(nameof(Api), $"{(int)Api} is not a known API");
        }

        if (Api == StoreApi.InfluxV1 && string.IsNullOrWhiteSpace(Database))
        {
            Throw(nameof(Database), "is required when Api is InfluxV1");
        }

        if (Api == StoreApi.InfluxV2 && string.IsNullOrWhiteSpace(Bucket))
        {
            Throw(nameof(Bucket), "is required when Api is InfluxV2");
        }

        Positive(nameof(BatchMaxBytes), BatchMaxBytes);
        Positive(nameof(BatchMaxLines), BatchMaxLines);
        if (MaxBufferedBytes < BatchMaxBytes)
        {
            Throw(nameof(MaxBufferedBytes), $"{MaxBufferedBytes} is smaller than BatchMaxBytes ({BatchMaxBytes})");
        }

        if (MaxRetries < 0)
        {
            Throw(nameof(MaxRetries), $"{MaxRetries} is negative");
        }

        Positive(nameof(RetryBaseDelay), RetryBaseDelay);
        Positive(nameof(RetryMaxDelay), RetryMaxDelay);
        if (RetryMaxDelay < RetryBaseDelay)
        {
            Throw(nameof(RetryMaxDelay), $"{RetryMaxDelay} is shorter than RetryBaseDelay ({RetryBaseDelay})");
        }

        if (!(CircuitBreakerFailureRatio > 0 && CircuitBreakerFailureRatio <= 1))
        {
            Throw(nameof(CircuitBreakerFailureRatio), $"{CircuitBreakerFailureRatio} is not in (0, 1]");
        }

        if (CircuitBreakerMinimumThroughput < 2)
        {
            Throw(nameof(CircuitBreakerMinimumThroughput), $"{CircuitBreakerMinimumThroughput} is smaller than 2");
        }

        AtLeastHalfSecond(nameof(CircuitBreakerSamplingDuration), CircuitBreakerSamplingDuration);
        AtLeastHalfSecond(nameof(CircuitBreakerBreakDuration), CircuitBreakerBreakDuration);
        Positive(nameof(RequestTimeout), RequestTimeout);
        Positive(nameof(DisposeTimeout), DisposeTimeout);
    }

    /// <summary>The full write URL for <see cref="Api"/>, timestamps in milliseconds.</summary>
    internal Uri BuildWriteUri()
    {
        var root = Url.TrimEnd('/');
        return new Uri(Api switch
        {
            StoreApi.InfluxV1 => $"{root}/write?db={Uri.EscapeDataString(Database!)}&precision=ms",
            StoreApi.InfluxV2 => string.IsNullOrEmpty(Organization)
                ? $"{root}/api/v2/write?bucket={Uri.EscapeDataString(Bucket!)}&precision=ms"
                : $"{root}/api/v2/write?org={Uri.EscapeDataString(Organization)}&bucket={Uri.EscapeDataString(Bucket!)}&precision=ms",
            _ => $"{root}/write?precision=ms",
        });
    }

    private static void Positive(string option, long value)
    {
        if (value <= 0)
        {
            Throw(option, $"{value} must be positive");
        }
    }

    private static void Positive(string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Throw(option, $"{value} must be positive");
        }
    }

    // Polly's circuit breaker refuses windows and breaks shorter than 500 ms.
    private static void AtLeastHalfSecond(string option, TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(500))
        {
            Throw(option, $"{value} is shorter than 0.5 s");
        }
    }

    private static void Throw(string option, string problem) =>
        throw new ArgumentException($"StoreWriterOptions.{option}: {problem}.", option);
}
