using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// One device connection. The read loop decodes packets straight from the socket's pipe; everything sent back
/// goes through one bounded queue to a single writer, because Kafka acknowledgements and downlink commands arrive
/// on other threads.
/// </summary>
internal sealed partial class MqttConnection : IAsyncDisposable
{
    // Downlink PUBLISH packets wait only while fewer than this many packets are queued for the writer, so
    // acknowledgements of readings always find room (the queue is sized for both).
    private const int DownlinkQueueBudget = 32;

    private readonly ConnectionContext _context;
    private readonly GatewayOptions _options;
    private readonly DeviceRegistry _registry;
    private readonly ReadingIngest _ingest;
    private readonly GatewayCounters _counters;
    private readonly GatewayInstruments _instruments;
    private readonly SessionBook _sessions;
    private readonly DeviceLimits _limits;
    private readonly bool _addressAllowed;
    private readonly CancellationToken _stopping;
    private readonly Channel<Outbound> _outbound;
    private readonly SemaphoreSlim _inflight;
    private readonly MqttFrameBuffer _reassembly = new();
    private readonly HashSet<ushort> _qos2Pending = [];
    private MqttProtocolVersion _version;
    private DeviceInfo? _device;
    private ConcentratorScope? _scope;
    private DeviceSession? _session;
    private TimeSpan _keepAlive;
    private volatile bool _kafkaFailed;
    private volatile bool _connAckSent;
    private volatile bool _downlinkDeferred;
    private volatile bool _takenOver;
    private bool _disconnectedCleanly;
    private MessageRate _rate;
    private TimeSpan _throttleWait;
    private long _throttleLoggedAt;

    public MqttConnection(
        ConnectionContext context, GatewayOptions options, DeviceRegistry registry, ReadingIngest ingest, GatewayCounters counters,
        GatewayInstruments instruments, SessionBook sessions, DeviceLimits limits, bool addressAllowed, CancellationToken stopping)
    {
        _context = context;
        _options = options;
        _registry = registry;
        _ingest = ingest;
        _counters = counters;
        _instruments = instruments;
        _sessions = sessions;
        _limits = limits;
        _addressAllowed = addressAllowed;
        _rate = new MessageRate(options.MaxMessagesPerSecond);
        _stopping = stopping;
        _inflight = new SemaphoreSlim(options.MaxInflightPerConnection, options.MaxInflightPerConnection);
        // Room for every in-flight acknowledgement, the downlink budget, resent downlink and control packets, so
        // Kafka's delivery thread never waits.
        _outbound = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(options.MaxInflightPerConnection + DownlinkQueueBudget + options.MaxDownlinkInflight + 64)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The device this connection authenticated as; null before an accepted CONNECT.</summary>
    public DeviceInfo? Device => _device;

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
            if (!_context.ConnectionClosed.IsCancellationRequested && _device is not null && !_takenOver)
            {
                // 3.1.2.10 [MQTT-3.1.2-24]: nothing for 1.5 x keep alive; 5.0 4.13 says why before closing (0x8D).
                Send(Outbound.Disconnect(MqttReasonCode.KeepAliveTimeout));
            }
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writer;
            await EndSessionAsync();
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
        // Not linked to the connection's closed token: Kestrel fires that on the device's FIN, and what the device
        // sent before its FIN is still in the pipe to be read (a pipe read ends with IsCompleted after it).
        using var timeout = new CancellationTokenSource();
        timeout.CancelAfter(_options.ConnectTimeout);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            if (result.IsCanceled)
            {
                return; // the writer closed the connection
            }

            var buffer = result.Buffer;
            var step = ProcessPackets(buffer, out var consumed, out var examined);
            input.AdvanceTo(consumed, examined);
            if (step == Step.Close || _kafkaFailed || _takenOver)
            {
                return;
            }

            if (!_pendingProduce.IsCompletedSuccessfully)
            {
                // The producer's buffer is full: read nothing more until it has room (backpressure to the device).
                await _pendingProduce;
                _pendingProduce = default;
            }

            if (step == Step.Throttle)
            {
                // Over its message rate: leave the socket unread until the next PUBLISH is allowed. Not cut short
                // when the device closes: what it sent before closing is still read, at the rate.
                await Task.Delay(_throttleWait, _stopping);
            }

            if (step == Step.WaitForInflight)
            {
                // Backpressure: stop reading the socket until Kafka acknowledges earlier readings.
                await _inflight.WaitAsync(closed);
                _inflight.Release();
            }

            if (result.IsCompleted && step == Step.Continue)
            {
                // The device closed and every whole packet it sent was handled (a held-back one is read next round).
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
                    // A graceful close: what was written (a CONNACK refusal, a DISCONNECT) reaches the client before
                    // the FIN, which an abort would not guarantee.
                    await output.CompleteAsync();
                    _context.Transport.Input.CancelPendingRead();
                    return;
                }

                if (_downlinkDeferred && _session is { } session)
                {
                    // Commands waited for room in the writer's queue; there is room now.
                    _downlinkDeferred = false;
                    _sessions.CountSent(session.Pump());
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ConnectionResetException)
        {
            _context.Abort();
        }
    }

    private enum Step : byte
    {
        Continue,
        WaitForInflight,
        Throttle,
        Close,
    }
}
