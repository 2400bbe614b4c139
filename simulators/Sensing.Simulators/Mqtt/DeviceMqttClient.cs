using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// The MQTT client of one simulated device, on the project's codec over a raw socket: CONNECT, QoS 0/1 PUBLISH
/// (a QoS 1 publish completes when its PUBACK arrives), DISCONNECT. One publish at a time, as a meter does.
/// </summary>
public sealed class DeviceMqttClient : IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _out = new(512);
    private readonly MqttFrameBuffer _reassembly = new();
    private Socket? _socket;
    private NetworkStream? _stream;
    private PipeReader? _input;
    private MqttProtocolVersion _version;
    private ushort _nextPacketId;

    /// <summary>True between a successful CONNECT and DISCONNECT or a failure.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>Connects and waits for an accepting CONNACK; throws <see cref="MqttClientException"/> on refusal.</summary>
    public async Task ConnectAsync(DeviceMqttConnectOptions options, CancellationToken cancellationToken)
    {
        _version = options.Version;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (options.LocalAddress is not null)
        {
            _socket.Bind(new IPEndPoint(options.LocalAddress, 0));
        }

        await _socket.ConnectAsync(options.Host, options.Port, cancellationToken);
        _stream = new NetworkStream(_socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 512, minimumReadSize: 256));

        MqttPacketWriter.WriteConnect(_out, new MqttConnectRequest
        {
            Version = options.Version,
            ClientId = Encoding.UTF8.GetBytes(options.ClientId),
            CleanStart = true,
            KeepAliveSeconds = options.KeepAliveSeconds,
            UserName = options.UserName is null ? default : Encoding.UTF8.GetBytes(options.UserName),
            Password = options.Password is null ? default : Encoding.UTF8.GetBytes(options.Password),
        });
        await SendAsync(cancellationToken);
        var refusal = await ReadUntilAsync(MqttPacketType.ConnAck, 0, cancellationToken);
        if (refusal is not null)
        {
            throw new MqttClientException("CONNACK refused: " + refusal);
        }

        IsConnected = true;
    }

    /// <summary>Publishes; for QoS 1 completes when the gateway acknowledged (PUBACK with success).</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQoS qos, CancellationToken cancellationToken)
    {
        var id = qos == MqttQoS.AtMostOnce ? (ushort)0 : NextPacketId();
        MqttPacketWriter.WritePublish(_out, _version, Encoding.UTF8.GetBytes(topic), payload.Span, qos, id);
        await SendAsync(cancellationToken);
        if (qos == MqttQoS.AtLeastOnce && await ReadUntilAsync(MqttPacketType.PubAck, id, cancellationToken) is { } refusal)
        {
            throw new MqttClientException("PUBACK refused: " + refusal);
        }
    }

    /// <summary>Sends DISCONNECT and closes the socket.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (IsConnected)
        {
            IsConnected = false;
            MqttPacketWriter.WriteDisconnect(_out, _version);
            try
            {
                await SendAsync(cancellationToken);
            }
            catch (IOException)
            {
                // Already closed by the gateway.
            }
        }

        _socket?.Shutdown(SocketShutdown.Both);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_input is not null)
        {
            await _input.CompleteAsync();
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket?.Dispose();
        _reassembly.Dispose();
    }

    private ushort NextPacketId()
    {
        // Packet identifiers are non-zero (2.2.1).
        _nextPacketId = (ushort)(_nextPacketId == ushort.MaxValue ? 1 : _nextPacketId + 1);
        return _nextPacketId;
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        await _stream!.WriteAsync(_out.WrittenMemory, cancellationToken);
        _out.Clear();
    }

    // Reads packets until the awaited one arrives; returns null on success, else the refusal reason.
    private async Task<string?> ReadUntilAsync(MqttPacketType awaited, ushort packetId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input!.ReadAsync(cancellationToken);
            var outcome = Scan(result.Buffer, awaited, packetId, out var consumed, out var examined);
            _input.AdvanceTo(consumed, examined);
            if (outcome is not null)
            {
                return outcome.Length == 0 ? null : outcome;
            }

            if (result.IsCompleted)
            {
                IsConnected = false;
                throw new MqttClientException($"connection closed while waiting for {awaited}");
            }
        }
    }

    // "" when the awaited packet was found and accepted, a reason when refused, null when more bytes are needed.
    private string? Scan(ReadOnlySequence<byte> buffer, MqttPacketType awaited, ushort packetId, out SequencePosition consumed, out SequencePosition examined)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        while (true)
        {
            var status = MqttFrameReader.TryRead(buffer.Slice(consumed), MqttFrameReader.ProtocolMaxPacketSize, _reassembly, out var frame, out var end, out _);
            if (status == MqttFrameStatus.Incomplete)
            {
                return null;
            }

            if (status != MqttFrameStatus.Complete)
            {
                return "malformed packet from the server: " + status;
            }

            consumed = end;
            switch (frame.Type)
            {
                case MqttPacketType.ConnAck when awaited == MqttPacketType.ConnAck:
                    return MqttConnAck.TryDecode(frame, _version, out var connAck, out var error)
                        ? (connAck.IsAccepted ? "" : connAck.ReasonCode.ToString())
                        : error.ToString();
                case MqttPacketType.PubAck when awaited == MqttPacketType.PubAck:
                    if (MqttPublishAck.TryDecode(frame, _version, out var ack, out _) && ack.PacketId == packetId)
                    {
                        return (byte)ack.ReasonCode < 0x80 ? "" : ack.ReasonCode.ToString();
                    }

                    break;
                case MqttPacketType.Disconnect:
                    return "server sent DISCONNECT";
            }
        }
    }
}
