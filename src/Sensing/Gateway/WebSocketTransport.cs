using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Sensing.Gateway;

/// <summary>
/// MQTT over WebSocket (3.1.1 section 6, 5.0 section 6): the WebSocket's binary messages carried as the byte
/// stream of an ordinary MQTT connection, so <see cref="MqttConnectionHandler"/> serves it unchanged. Packets may span
/// WebSocket messages and a message may hold several packets ([MQTT-6.0.0-2]: the receiver does not assume packets
/// are aligned on message boundaries).
/// </summary>
internal sealed class WebSocketTransport : ConnectionContext
{
    /// <summary>The WebSocket subprotocol MQTT uses ([MQTT-6.0.0-3]: "mqtt").</summary>
    public const string SubProtocol = "mqtt";

    private readonly WebSocket _socket;
    private readonly Pipe _input = new();
    private readonly Pipe _output = new();
    private readonly CancellationTokenSource _closed = new();

    public WebSocketTransport(WebSocket socket, string connectionId, EndPoint? remote, EndPoint? local)
    {
        _socket = socket;
        ConnectionId = connectionId;
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionClosed = _closed.Token;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Carries the WebSocket's messages both ways until either side closes.</summary>
    public Task PumpAsync() => Task.WhenAll(ReceiveAsync(), SendAsync());

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _socket.Abort();
        _closed.Cancel();
    }

    public override ValueTask DisposeAsync()
    {
        _closed.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(4096);
                var received = await _socket.ReceiveAsync(memory, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (received.MessageType != WebSocketMessageType.Binary)
                {
                    // [MQTT-6.0.0-1]: MQTT is sent in binary data frames; anything else closes the connection.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.InvalidMessageType, "MQTT uses binary frames", CancellationToken.None);
                    break;
                }

                writer.Advance(received.Count);
                var flush = await writer.FlushAsync();
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The browser or device went away.
        }
        finally
        {
            await writer.CompleteAsync();
            _closed.Cancel();
        }
    }

    private async Task SendAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone; the receive side ends too.
        }
        finally
        {
            await reader.CompleteAsync();
            _socket.Abort();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
