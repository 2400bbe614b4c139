using Sensing.Storage.Internal;

namespace Sensing.Storage;

/// <summary>Encodes one or more points into a <see cref="StoreWriter"/>'s batch; see
/// <see cref="StoreWriter.TryAppend{TState}(TState, LineEncoder{TState})"/>.</summary>
public delegate void LineEncoder<TState>(LineProtocolWriter writer, TState state)
    where TState : allows ref struct;

/// <summary>
/// Batches line-protocol points and posts them, gzip-compressed, to VictoriaMetrics or InfluxDB (1.x, 2.x/3.x).
/// </summary>
/// <remarks>
/// <para>Appending is synchronous and never blocks: a batch that reaches <see cref="StoreWriterOptions.BatchMaxBytes"/>
/// or <see cref="StoreWriterOptions.BatchMaxLines"/> is sealed and sent in the background, one request at a time and
/// in append order, while the next batch fills.</para>
/// <para>Bounded memory: the writer holds at most <see cref="StoreWriterOptions.MaxBufferedBytes"/> (the batch being
/// filled plus sealed batches not yet accepted). When full, <see cref="TryAppend(ReadOnlySpan{byte})"/> returns false
/// and appends nothing; <see cref="IsFull"/> says so in advance. The caller then awaits <see cref="FlushAsync"/>:
/// a slow store slows the stream processor down instead of growing a queue.</para>
/// <para>Resilience: every POST goes through a Polly pipeline: retry with exponential backoff and jitter, a circuit
/// breaker that stops sending to a store that keeps failing (<see cref="StoreWriterOptions.CircuitBreakerFailureRatio"/>
/// and the options after it), and a per-attempt timeout.</para>
/// <para>Delivery: <see cref="FlushAsync"/> returns only after the store accepted (2xx) every batch appended before
/// the call, so Kafka offsets may be committed after it. A batch whose retries run out is kept, in order, and
/// background sending pauses until the next <see cref="FlushAsync"/>, which sends it again; that flush throws
/// <see cref="StoreWriteException"/> with <see cref="StoreWriteException.IsTransient"/> set, so the caller keeps its
/// offsets and flushes again later. A batch the store rejects (4xx) is dropped and reported once by the next flush.</para>
/// <para>Not thread-safe: one producer appends and flushes.</para>
/// </remarks>
public sealed partial class StoreWriter : IAsyncDisposable
{
    private readonly StoreWriterOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _writeUri;
    private readonly PooledBufferWriter _batch;
    private readonly LineProtocolWriter _lines;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly StoreResilience _resilience;
    private int _batchLines;
    private bool _disposed;

    /// <summary>Creates a writer. Without <paramref name="httpClient"/> it creates (and later disposes) its own.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public StoreWriter(StoreWriterOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _writeUri = options.BuildWriteUri();
        _ownsHttp = httpClient is null;
        // Per-attempt timeouts come from RequestTimeout, so the client's own timeout must not cut in first.
        // Pooled connections are renewed every 2 minutes so a store moved behind its DNS name is followed.
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        // A batch is sealed by the first line that crosses BatchMaxBytes; the slack covers that line.
        _batch = new PooledBufferWriter(options.BatchMaxBytes + 4096);
        _lines = new LineProtocolWriter(_batch);
        _resilience = new StoreResilience(options, () => Interlocked.Increment(ref _retries), () => Interlocked.Increment(ref _circuitBreaks));
    }

    /// <summary>The URL batches are posted to.</summary>
    public Uri WriteUri => _writeUri;

    /// <summary>Bytes held: the batch being filled plus sealed batches not yet accepted.</summary>
    public long BufferedBytes => _batch.WrittenCount + Interlocked.Read(ref _pendingBytes);

    /// <summary>True when <see cref="BufferedBytes"/> reached <see cref="StoreWriterOptions.MaxBufferedBytes"/>:
    /// appends fail until the store accepts batches (await <see cref="FlushAsync"/>).</summary>
    public bool IsFull => BufferedBytes >= _options.MaxBufferedBytes;

    /// <summary>
    /// Appends complete, already-encoded lines (each ending in <c>\n</c>). Returns false, appending nothing, if they
    /// would take <see cref="BufferedBytes"/> past <see cref="StoreWriterOptions.MaxBufferedBytes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The bytes do not end with a newline, or exceed the bound on their own.</exception>
    public bool TryAppend(ReadOnlySpan<byte> lines)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lines.IsEmpty)
        {
            return true;
        }

        if (lines[^1] != (byte)'\n')
        {
            ThrowHelper.ThrowArgument("Lines must end with a newline.", nameof(lines));
        }

        if (lines.Length > _options.MaxBufferedBytes)
        {
            ThrowHelper.ThrowArgument($"{lines.Length} bytes exceed MaxBufferedBytes ({_options.MaxBufferedBytes}).", nameof(lines));
        }

        if (BufferedBytes + lines.Length > _options.MaxBufferedBytes)
        {
            return false;
        }

        _batch.Write(lines);
        _batchLines += lines.Count((byte)'\n');
        SealIfComplete();
        return true;
    }

    /// <summary>
    /// Lets <paramref name="encode"/> write points straight into the batch (no copy). Returns false, calling
    /// nothing, when <see cref="IsFull"/>; otherwise the bound is exceeded by at most what one call writes.
    /// Pass a <c>static</c> lambda and a struct state to stay allocation-free.
    /// </summary>
    /// <exception cref="InvalidOperationException">The encoder left a line open (it was discarded).</exception>
    public bool TryAppend<TState>(TState state, LineEncoder<TState> encode)
        where TState : allows ref struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(encode);
        if (IsFull)
        {
            return false;
        }

        var before = _lines.LinesWritten;
        try
        {
            encode(_lines, state);
        }
        catch
        {
            _lines.Abandon();
            throw;
        }
        finally
        {
            // Lines the encoder ended are in the batch even if it threw afterwards.
            _batchLines += (int)(_lines.LinesWritten - before);
        }

        if (_lines.IsLineOpen)
        {
            _lines.Abandon();
            ThrowHelper.ThrowInvalidOperation("The encoder left a line open (no EndLine); it was discarded.");
        }

        SealIfComplete();
        return true;
    }

    private void SealIfComplete()
    {
        if (_batch.WrittenCount >= _options.BatchMaxBytes || _batchLines >= _options.BatchMaxLines)
        {
            Seal();
        }
    }

    private void Seal()
    {
        if (_batch.WrittenCount == 0)
        {
            return;
        }

        var lines = _batchLines;
        _batchLines = 0;
        Enqueue(_batch.Detach(), lines);
    }
}
