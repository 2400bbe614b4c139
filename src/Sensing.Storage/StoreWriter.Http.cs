using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Polly.CircuitBreaker;
using Sensing.Storage.Internal;

namespace Sensing.Storage;

/// <content>Posting one batch: gzip, then POST through the resilience pipeline (<see cref="StoreResilience"/>).</content>
public sealed partial class StoreWriter
{
    // Error text kept from a store's response; InfluxDB's and VictoriaMetrics' messages fit well within it.
    private const int MaxErrorTextChars = 1024;

    /// <summary>
    /// Posts one batch until the store accepts it. 2xx: done. 4xx other than 408/429: the batch itself is wrong,
    /// fail at once with the store's text. 5xx, 408, 429, connection errors, timeouts and an open circuit: retried
    /// by the pipeline with exponential backoff and jitter, up to MaxRetries times.
    /// </summary>
    private async Task SendBatchAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        using var compressed = _options.Gzip ? Compress(lines.Span) : null;
        var attempt = new SendAttempt(this, compressed?.WrittenMemory ?? lines);
        var retriesBefore = Interlocked.Read(ref _retries);
        try
        {
            await _resilience.Pipeline.ExecuteAsync(
                static (state, token) => state.Writer.SendOnceAsync(state, token), attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreResilience.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            var attempts = Interlocked.Read(ref _retries) - retriesBefore + 1;
            var last = ex is BrokenCircuitException ? $"circuit open after repeated failures (before: {attempt.Problem})" : attempt.Problem;
            throw new StoreWriteException(
                $"The store at {_writeUri} did not accept a batch after {attempts} attempt(s); last: {last}", attempt.Status, isTransient: true, ex);
        }
    }

    private async ValueTask SendOnceAsync(SendAttempt attempt, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using var request = BuildRequest(attempt.Body);
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            attempt.Record(null, ex.Message);
            throw;
        }
        catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
        {
            attempt.Record(null, $"no answer within {_options.RequestTimeout}");
            throw;
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var status = (int)response.StatusCode;
            string problem;
            try
            {
                problem = $"HTTP {status} {response.ReasonPhrase}: {await ReadErrorTextAsync(response, cancellationToken).ConfigureAwait(false)}";
            }
            catch (OperationCanceledException) when (!_lifetime.IsCancellationRequested)
            {
                attempt.Record(status, $"HTTP {status} {response.ReasonPhrase}, error text not read within {_options.RequestTimeout}");
                throw;
            }

            if (!IsTransient(response.StatusCode))
            {
                throw new StoreWriteException($"The store at {_writeUri} rejected a batch: {problem}", status, isTransient: false);
            }

            attempt.Record(status, problem);
            throw new StoreUnavailableException(problem);
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

    // One batch's way through the pipeline: its body and what the last failed attempt saw.
    private sealed class SendAttempt(StoreWriter writer, ReadOnlyMemory<byte> body)
    {
        public StoreWriter Writer { get; } = writer;

        public ReadOnlyMemory<byte> Body { get; } = body;

        public int? Status { get; private set; }

        public string Problem { get; private set; } = "none";

        public void Record(int? status, string problem)
        {
            Status = status;
            Problem = problem;
        }
    }
}

/// <summary>A 5xx, 408 or 429 answer: the store is unavailable for the moment; the pipeline retries.</summary>
internal sealed class StoreUnavailableException(string message) : Exception(message);
