using System.Net;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Sensing.Core.Devices;
using Sensing.Mqtt;

namespace Sensing.Gateway;

/// <summary>
/// One device connection. The read loop decodes packets straight from the socket's pipe; everything sent back
/// goes through one bounded queue to a single writer, because Kafka acknowledgements and downlink commands arrive
/// on other threads. An idle connection holds no writer task, timer or cancellation source: the writer runs on the
/// thread pool only while packets are queued (MqttConnection.Writer.cs), and the gateway's <see cref="KeepAliveClock"/>
/// watches every connection's read deadline.
/// </summary>
internal sealed partial class MqttConnection
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
    private readonly KeepAliveClock _clock;
    private readonly IPAddress? _address;
    private readonly SemaphoreSlim _inflight;
    private readonly MqttFrameBuffer _reassembly = new();
    private HashSet<ushort>? _qos2Pending;
    private MqttProtocolVersion _version;
    private DeviceInfo? _device;
    private ConcentratorScope? _scope;
    private DeviceSession? _session;
    private TimeSpan _keepAlive;
    private long _deadlineMs = long.MaxValue;
    private int _expired;
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
        GatewayInstruments instruments, SessionBook sessions, DeviceLimits limits, KeepAliveClock clock, CancellationToken stopping)
    {
        _context = context;
        _options = options;
        _registry = registry;
        _ingest = ingest;
        _counters = counters;
        _instruments = instruments;
        _sessions = sessions;
        _limits = limits;
        _clock = clock;
        _address = (context.RemoteEndPoint as IPEndPoint)?.Address;
        _addressAllowed = limits.TryOpen(_address);
        _rate = new MessageRate(options.MaxMessagesPerSecond);
        _stopping = stopping;
        _inflight = new SemaphoreSlim(options.MaxInflightPerConnection, options.MaxInflightPerConnection);
        // Room for every in-flight acknowledgement, the downlink budget, resent downlink and control packets, so
        // Kafka's delivery thread never waits.
        _queueCapacity = options.MaxInflightPerConnection + DownlinkQueueBudget + options.MaxDownlinkInflight + 64;
    }

    /// <summary>The device this connection authenticated as; null before an accepted CONNECT.</summary>
    public DeviceInfo? Device => _device;

    /// <summary>This connection's place in the <see cref="KeepAliveClock"/>; -1 when not in it.</summary>
    internal int ClockSlot { get; set; } = -1;

    /// <summary>
    /// When the read loop gives up waiting (<see cref="Environment.TickCount64"/> ms): the connect timeout until the
    /// CONNECT, then 1.5 x the keep-alive after every read; long.MaxValue for none.
    /// </summary>
    internal long DeadlineMs => Volatile.Read(ref _deadlineMs);

    /// <summary>The read deadline passed: cancels the pending read, which ends the connection (once).</summary>
    internal void Expire()
    {
        if (Interlocked.Exchange(ref _expired, 1) == 0)
        {
            Volatile.Write(ref _deadlineMs, long.MaxValue);
            _context.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>Serves the connection until it ends: reads and handles packets, then ends the session.</summary>
    public async Task RunAsync()
    {
        var input = _context.Transport.Input;
        ExceptionDispatchInfo? writerFault = null;
        // The read deadline is not the connection's closed token: Kestrel fires that on the device's FIN, and what the
        // device sent before its FIN is still in the pipe to be read (a pipe read ends with IsCompleted after it).
        _deadlineMs = Environment.TickCount64 + (long)_options.ConnectTimeout.TotalMilliseconds;
        _clock.Add(this);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                if (result.IsCanceled)
                {
                    if (_expired != 0 && !_context.ConnectionClosed.IsCancellationRequested && _device is not null && !_takenOver)
                    {
                        // 3.1.2.10 [MQTT-3.1.2-24]: nothing for 1.5 x keep alive; 5.0 4.13 says why before closing (0x8D).
                        Send(Outbound.Disconnect(MqttReasonCode.KeepAliveTimeout));
                    }

                    break; // the read deadline passed, or the writer closed the connection
                }

                var buffer = result.Buffer;
                var step = ProcessPackets(buffer, out var consumed, out var examined);
                input.AdvanceTo(consumed, examined);
                if (step == Step.Close || _kafkaFailed || _takenOver)
                {
                    break;
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
                    await _inflight.WaitAsync(_context.ConnectionClosed);
                    _inflight.Release();
                }

                if (result.IsCompleted && step == Step.Continue)
                {
                    // The device closed and every whole packet it sent was handled (a held-back one is read next round).
                    break;
                }

                if (_device is not null)
                {
                    // MQTT-3.1.2-24: close when nothing arrives for 1.5 x the keep-alive (0 disables it).
                    Volatile.Write(ref _deadlineMs, _keepAlive > TimeSpan.Zero
                        ? Environment.TickCount64 + (long)(_keepAlive.TotalMilliseconds * 1.5)
                        : long.MaxValue);
                }
            }
        }
        catch (ConnectionResetException)
        {
            // The device went away; nothing to answer.
        }
        catch (OperationCanceledException)
        {
            // The connection closed or the gateway stops while the read loop waited.
        }
        finally
        {
            _clock.Remove(this);
            try
            {
                writerFault = await CloseQueueAsync();
                await EndSessionAsync();
            }
            finally
            {
                // _inflight is not disposed: Kafka delivery callbacks may still release it after the connection closed
                // (SemaphoreSlim holds no unmanaged resource unless its wait handle is used).
                _reassembly.Dispose();
                if (_addressAllowed)
                {
                    _limits.Close(_address);
                }

                if (_device is { } device)
                {
                    _counters.Disconnected(device.Kind);
                }
            }
        }

        writerFault?.Throw();
    }

    private enum Step : byte
    {
        Continue,
        WaitForInflight,
        Throttle,
        Close,
    }
}
