using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sensing.Tests.Storage;

/// <summary>One HTTP request as the fake store received it.</summary>
public sealed record FakeStoreRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The body as text, gunzipped when the request says Content-Encoding: gzip.</summary>
    public string DecodedBody
    {
        get
        {
            if (!Headers.TryGetValue("content-encoding", out var encoding) || encoding != "gzip")
            {
                return Encoding.UTF8.GetString(Body);
            }

            using var gzip = new GZipStream(new MemoryStream(Body), CompressionMode.Decompress);
            using var text = new StreamReader(gzip, Encoding.UTF8);
            return text.ReadToEnd();
        }
    }
}

/// <summary>What the fake store answers.</summary>
public sealed record FakeStoreResponse(int Status, string Body = "");

/// <summary>
/// A stand-in for the time-series store: a minimal HTTP/1.1 server on 127.0.0.1 and a free port (TcpListener, no
/// Kestrel) that records every request and answers with what <c>respond</c> returns for the request's index.
/// Used only for what the real stores cannot show on demand (503s, 400s, stalls, exact request shape).
/// </summary>
public sealed class FakeStore : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, Task<FakeStoreResponse>> _respond;
    private readonly List<FakeStoreRequest> _requests = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeStore(Func<int, Task<FakeStoreResponse>>? respond = null)
    {
        _respond = respond ?? (_ => Task.FromResult(new FakeStoreResponse(204)));
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public IReadOnlyList<FakeStoreRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async Task<IReadOnlyList<FakeStoreRequest>> WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Requests.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        using var closeOnStop = _stop.Token.Register(connection.Dispose);
        var stream = connection.GetStream();
        var pending = new List<byte>();
        var chunk = new byte[8192];
        while (true)
        {
            // Head: up to the blank line.
            int headEnd;
            while ((headEnd = IndexOfBlankLine(pending)) < 0)
            {
                var read = await stream.ReadAsync(chunk, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.AddRange(chunk.AsSpan(0, read));
            }

            var head = Encoding.ASCII.GetString([.. pending.GetRange(0, headEnd)]).Split("\r\n");
            pending.RemoveRange(0, headEnd + 4);
            var requestLine = head[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }

            // Body: Content-Length bytes (HttpClient sends a length for in-memory content).
            var length = headers.TryGetValue("content-length", out var value) ? int.Parse(value) : 0;
            while (pending.Count < length)
            {
                var read = await stream.ReadAsync(chunk, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.AddRange(chunk.AsSpan(0, read));
            }

            var body = pending.GetRange(0, length).ToArray();
            pending.RemoveRange(0, length);
            int index;
            lock (_requests)
            {
                index = _requests.Count;
                _requests.Add(new FakeStoreRequest(requestLine[0], requestLine[1], headers, body));
            }

            var response = await _respond(index);
            var payload = Encoding.UTF8.GetBytes(response.Body);
            var reason = ((HttpStatusCode)response.Status).ToString();
            var responseHead = $"HTTP/1.1 {response.Status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(responseHead), _stop.Token);
            await stream.WriteAsync(payload, _stop.Token);
        }
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
