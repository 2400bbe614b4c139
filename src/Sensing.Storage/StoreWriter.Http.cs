using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Sensing.Storage.Internal;

namespace Sensing.Storage;

/// <content>Posting one batch: gzip, POST, retry with exponential backoff.</content>
public sealed partial class StoreWriter
{
    // Error text kept from a store's response; InfluxDB's and VictoriaMetrics' messages fit well within it.
    private const int MaxErrorTextChars = 1024;

    /// <summary>
    /// Posts one batch until the store accepts it. 2xx: done. 4xx other than 408/429: the batch itself is wrong,
    /// fail at once with the store's text. 5xx, 408, 429, connection errors, timeouts: retry after
    /// RetryBaseDelay * 2^attempt (capped at RetryMaxDelay, jittered to 50-100 %) up to MaxRetries times.
    /// </summary>
    private async Task SendBatchAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        using var compressed = _options.Gzip ? Compress(lines.Span) : null;
        var body = compressed?.WrittenMemory ?? lines;
        for (var attempt = 0; ; attempt++)
        {
            int? status = null;
            string problem;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var request = BuildRequest(body);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token)
                        .ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    status = (int)response.StatusCode;
                    problem = $"HTTP {status} {response.ReasonPhrase}: {await ReadErrorTextAsync(response, attemptTimeout.Token).ConfigureAwait(false)}";
                    if (!IsTransient(response.StatusCode))
                    {
                        throw new StoreWriteException($"The store at {_writeUri} rejected a batch: {problem}", status, isTransient: false);
                    }
                }
                catch (HttpRequestException ex)
                {
                    problem = ex.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    problem = $"no answer within {_options.RequestTimeout}";
                }
            }

            if (attempt >= _options.MaxRetries)
            {
                throw new StoreWriteException(
                    $"The store at {_writeUri} did not accept a batch after {attempt + 1} attempt(s); last: {problem}", status, isTransient: true);
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage BuildRequest(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain", "utf-8");
        if (_options.Gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _writeUri) { Content = content };
        if (_options.Api == StoreApi.InfluxV2 && _options.Token is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        return request;
    }

    private TimeSpan RetryDelay(int attempt)
    {
        // 2^attempt, with the exponent capped so the multiplication cannot overflow before the cap applies.
        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Min(attempt, 30));
        var capped = exponential < _options.RetryMaxDelay ? exponential : _options.RetryMaxDelay;
        // Jitter spreads out writers that all failed at the same moment (e.g. a store restart).
        return capped * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    // 408 Request Timeout and 429 Too Many Requests are about the moment, not the batch; so is every 5xx.
    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static async Task<string> ReadErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        text = text.Trim();
        return text.Length <= MaxErrorTextChars ? text : string.Concat(text.AsSpan(0, MaxErrorTextChars), "...");
    }

    private static PooledBufferWriter Compress(ReadOnlySpan<byte> lines)
    {
        // Line protocol compresses about 10:1; an eighth of the input is a good first guess.
        var compressed = new PooledBufferWriter(lines.Length / 8);
        using (var gzip = new GZipStream(new BufferWriterStream(compressed), CompressionLevel.Fastest))
        {
            gzip.Write(lines);
        }

        return compressed;
    }
}
