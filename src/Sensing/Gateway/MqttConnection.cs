using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// One device connection. The read loop decodes packets straight from the socket's pipe; everything sent back
/// goes through one bounded queue to a single writer, because Kafka acknowledgements arrive on another thread.
/// </summary>
internal sealed partial class MqttConnection : IAsyncDisposable
{
    private readonly ConnectionContext _context;
    private readonly GatewayOptions _options;
    private readonly DeviceRegistry _registry;
    private readonly ReadingIngest _ingest;
    private readonly GatewayCounters _counters;
    private readonly Channel<Outbound> _outbound;
    private readonly SemaphoreSlim _inflight;
    private readonly MqttFrameBuffer _reassembly = new();
    private readonly HashSet<ushort> _qos2Pending = [];
    private MqttProtocolVersion _version;
    private DeviceInfo? _device;
    private TimeSpan _keepAlive;
    private volatile bool _kafkaFailed;

    public MqttConnection(ConnectionContext context, GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters)
    {
        _context = context;
        _options = options;
        _registry = registry;
        _ingest = ingest;
        _counters = counters;
        _inflight = new SemaphoreSlim(options.MaxInflightPerConnection, options.MaxInflightPerConnection);
        // Room for every in-flight acknowledgement plus control packets, so Kafka's delivery thread never waits.
        _outbound = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(options.MaxInflightPerConnection + 64)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool IsAuthenticated => _device is not null;

    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        try
        {
            await ReadLoopAsync(_context.ConnectionClosed);
        }
        catch (ConnectionResetException)
        {
            // The device went away; nothing to answer.
        }
        catch (OperationCanceledException)
        {
            // Keep-alive or connect timeout, or the gateway is stopping.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writer;
        }
    }

    public ValueTask DisposeAsync()
    {
        // _inflight is not disposed: Kafka delivery callbacks may still release it after the connection closed
        // (SemaphoreSlim holds no unmanaged resource unless its wait handle is used).
        _reassembly.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReadLoopAsync(CancellationToken closed)
    {
        var input = _context.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closed);
        timeout.CancelAfter(_options.ConnectTimeout);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var step = ProcessPackets(buffer, out var consumed, out var examined);
            input.AdvanceTo(consumed, examined);
            if (step == Step.Close || _kafkaFailed)
            {
                return;
            }

            if (!_pendingProduce.IsCompletedSuccessfully)
            {
                // The producer's buffer is full: read nothing more until it has room (backpressure to the device).
                await _pendingProduce;
                _pendingProduce = default;
            }

            if (step == Step.WaitForInflight)
            {
                // Backpressure: stop reading the socket until Kafka acknowledges earlier readings.
                await _inflight.WaitAsync(closed);
                _inflight.Release();
            }

            if (result.IsCompleted)
            {
                return;
            }

            if (_device is not null)
            {
                // MQTT-3.1.2-24: close when nothing arrives for 1.5 x the keep-alive (0 disables it).
                if (!timeout.TryReset())
                {
                    return;
                }

                if (_keepAlive > TimeSpan.Zero)
                {
                    timeout.CancelAfter(_keepAlive * 1.5);
                }
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = _context.Transport.Output;
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                var close = false;
                while (reader.TryRead(out var packet))
                {
                    close |= Write(output, packet);
                }

                var flush = await output.FlushAsync();
                if (close || flush.IsCompleted)
                {
                    _context.Abort();
                    return;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ConnectionResetException)
        {
            _context.Abort();
        }
    }

    private bool Write(PipeWriter output, Outbound packet)
    {
        switch (packet.Type)
        {
            case MqttPacketType.ConnAck when _version == MqttProtocolVersion.V500:
                MqttPacketWriter.WriteConnAck(output, sessionPresent: false, packet.Reason, new MqttConnAckProperties
                {
                    ReceiveMaximum = (ushort)_options.MaxInflightPerConnection,
                    MaximumPacketSize = (uint)_options.MaxPacketSize,
                    // Maximum QoS is left out: absent means QoS 2 is supported, and 2 is not a valid value (5.0 3.2.2.3.4).
                    RetainAvailable = false,
                    WildcardSubscriptionAvailable = false,
                });
                return packet.Reason != MqttReasonCode.Success;
            case MqttPacketType.ConnAck:
                // 3.1.1 CONNACK carries a return code, not a reason code (see Outbound.ConnAck311).
                MqttPacketWriter.WriteConnAck(output, sessionPresent: false, (MqttConnectReturnCode)packet.PacketId);
                return packet.PacketId != 0;
            case MqttPacketType.PubAck:
                MqttPacketWriter.WritePubAck(output, _version, packet.PacketId, packet.Reason);
                return false;
            case MqttPacketType.PubRec:
                MqttPacketWriter.WritePubRec(output, _version, packet.PacketId, packet.Reason);
                return false;
            case MqttPacketType.PubComp:
                MqttPacketWriter.WritePubComp(output, _version, packet.PacketId, packet.Reason);
                return false;
            case MqttPacketType.SubAck:
                MqttPacketWriter.WriteSubAck(output, _version, packet.PacketId, packet.Codes);
                return false;
            case MqttPacketType.UnsubAck:
                MqttPacketWriter.WriteUnsubAck(output, _version, packet.PacketId, packet.Codes);
                return false;
            case MqttPacketType.PingResp:
                MqttPacketWriter.WritePingResp(output);
                return false;
            case MqttPacketType.Disconnect:
                if (_version == MqttProtocolVersion.V500)
                {
                    MqttPacketWriter.WriteDisconnect(output, _version, packet.Reason);
                }

                return true;
            default:
                return false;
        }
    }

    private enum Step : byte
    {
        Continue,
        WaitForInflight,
        Close,
    }
}
