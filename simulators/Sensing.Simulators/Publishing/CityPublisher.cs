using System.Buffers;
using System.Diagnostics;
using System.Net;
using Sensing.Core.Payloads;
using Sensing.Core.Telemetry;
using Sensing.Mqtt;
using Sensing.Simulators.City;
using Sensing.Simulators.Mqtt;

namespace Sensing.Simulators.Publishing;

/// <summary>
/// Publishes a <see cref="CityModel"/> over real MQTT: devices of persistent kinds hold one connection each for the
/// whole run; the others connect, publish one QoS 1 reading and disconnect (NB-IoT style), except those behind a
/// district concentrator, which publishes their readings in batches over its own connection. The simulation clock
/// runs <see cref="PublishOptions.Speed"/> times real time; every reading carries its event time in <c>ts</c>, as JSON
/// or, for <see cref="CityDevice.Binary"/> devices, the compact binary reading. A configurable share of readings is
/// delivered twice, or after the device's next reading.
/// </summary>
public sealed partial class CityPublisher
{
    // Noise channels of the delivery faults.
    private const int ChDuplicate = 200, ChOutOfOrder = 201;

    // Sessions closed at once at the end of a run.
    private const int DisconnectConcurrency = 256;

    // 0xB1, seq (4), ts (8), count (1), then 5 bytes per metric.
    private const int BinaryReadingMaxLength = 14 + (5 * CityModel.MaxMetrics);

    private readonly CityModel _city;
    private readonly PublishOptions _options;
    private readonly DeviceMqttClient?[] _clients;
    private readonly Dictionary<int, (ulong Sequence, byte[] Payload)> _heldBack = [];
    private readonly Dictionary<int, Task> _sessions = [];
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _connectSlots;
    private int _connectionsOpened;

    /// <summary>Creates a publisher; nothing connects before <see cref="RunAsync"/>.</summary>
    public CityPublisher(CityModel city, PublishOptions options)
    {
        ArgumentNullException.ThrowIfNull(city);
        _city = city;
        _options = options.Validate();
        _clients = new DeviceMqttClient?[city.Devices.Count];
        _inFlight = new SemaphoreSlim(options.MaxInFlight);
        _connectSlots = new SemaphoreSlim(options.ConcurrentConnects);
        Counters = new PublishCounters { Devices = options.Shard.DeviceCount(city) };
    }

    /// <summary>Live counters.</summary>
    public PublishCounters Counters { get; }

    /// <summary>Where every acknowledged reading is recorded (device, sequence), or null.</summary>
    public AckLog? AckLog { get; init; }

    /// <summary>Called for every reading produced, before it is published (e.g. to record it as CSV).</summary>
    public Action<SimulatedReading, ReadOnlyMemory<MetricValue>>? OnReading { get; init; }

    /// <summary>
    /// Connects the persistent devices, publishes the run, waits for the last acknowledgments and for the valve-close of
    /// any meter that reported a rupture (at most <see cref="ValveCloseWait"/>), and disconnects.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectPersistentAsync(cancellationToken);
            await ConnectConcentratorsAsync(cancellationToken);
            await PublishLoopAsync(cancellationToken);
            await Task.WhenAll(_sessions.Values).ContinueWith(_ => { }, TaskScheduler.Default);
            await AwaitValveClosesAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early: disconnect below.
        }
        finally
        {
            await Task.WhenAll(_sessions.Values).ContinueWith(_ => { }, TaskScheduler.Default);
            for (var i = 0; i < _options.MaxInFlight; i++)
            {
                await _inFlight.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            _stopping = true;

            // A few hundred at a time: every persistent session of a shard closing at once left some DISCONNECTs
            // unflushed after the client's 2 s, and the gateway took those for lost connections (device-offline alerts
            // after the end of the run).
            await Parallel.ForEachAsync(
                _clients.Where(c => c is not null).Concat(_links?.Select(l => l.Client) ?? []),
                new ParallelOptions { MaxDegreeOfParallelism = DisconnectConcurrency },
                async (client, _) => await DisconnectAsync(client));
        }
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        var simulation = new CitySimulation(_city, _options.StartMs, _options.StartMs + (long)_options.Duration.TotalMilliseconds, _options.Shard);

        // A start in the future is waited for, so at speed 1 the simulation clock is the wall clock.
        var untilStart = _options.StartMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (untilStart > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(untilStart), cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        var metrics = new MetricValue[CityModel.MaxMetrics];
        var payload = new ArrayBufferWriter<byte>(512);
        var seed = _city.Options.Seed;
        while (true)
        {
            var due = simulation.NextDueMs;
            var now = _options.StartMs + (long)(clock.Elapsed.TotalMilliseconds * _options.Speed);
            Counters.SetSimulatedTime(Math.Min(now, simulation.EndMs));
            if (due >= simulation.EndMs)
            {
                break;
            }

            if (due > now)
            {
                // Caught up with the clock: the readings due together go out as their concentrators' batches.
                await FlushBatchesAsync(cancellationToken);
                // Ahead of the clock: sleep until the next reading is due (at most 50 ms, to keep progress fresh).
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp((due - now) / _options.Speed, 1, 50)), cancellationToken);
                continue;
            }

            if (!simulation.TryNext(metrics, out var reading))
            {
                break;
            }

            OnReading?.Invoke(reading, metrics.AsMemory(0, reading.MetricCount));
            payload.ResetWrittenCount();
            var device = reading.Device;
            if (device.Binary)
            {
                // The compact binary reading (docs/gateway.md): sequence as uint32, values as float32.
                var span = payload.GetSpan(BinaryReadingMaxLength);
                payload.Advance(BinaryReadingDecoder.Write(span, (uint)reading.Sequence, reading.EventTimeMs, metrics.AsSpan(0, reading.MetricCount)));
            }
            else
            {
                JsonPayload.Write(payload, reading.Sequence, reading.EventTimeMs, metrics.AsSpan(0, reading.MetricCount));
            }

            var step = (long)reading.Sequence;
            if (Noise.Uniform(seed, device.Index, step, ChOutOfOrder) < _city.Options.OutOfOrderRate && !_heldBack.ContainsKey(device.Index))
            {
                // Delivered after the device's next reading.
                _heldBack[device.Index] = (reading.Sequence, payload.WrittenSpan.ToArray());
                continue;
            }

            await DeliverAsync(device, reading.Sequence, payload.WrittenMemory, cancellationToken);
            if (_heldBack.Remove(device.Index, out var late))
            {
                Counters.AddDuplicate();
                await DeliverAsync(device, late.Sequence, late.Payload, cancellationToken);
            }

            if (Noise.Uniform(seed, device.Index, step, ChDuplicate) < _city.Options.DuplicateRate)
            {
                Counters.AddDuplicate();
                await DeliverAsync(device, reading.Sequence, payload.WrittenMemory, cancellationToken);
            }
        }

        foreach (var (index, late) in _heldBack)
        {
            await DeliverAsync(_city.Devices[index], late.Sequence, late.Payload, cancellationToken);
        }

        await FlushBatchesAsync(cancellationToken);
    }

    private async ValueTask DeliverAsync(CityDevice device, ulong sequence, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Counters.AddSent();
        if (device.Concentrator >= 0)
        {
            await AddToBatchAsync(device, sequence, payload, cancellationToken);
            return;
        }

        if (!device.Persistent)
        {
            // One NB-IoT session per reading; a device's sessions run one after the other, so its order holds. The
            // in-flight bound also bounds the sessions waiting for a connect slot.
            await _inFlight.WaitAsync(cancellationToken);
            var copy = payload.ToArray();
            _sessions.TryGetValue(device.Index, out var previous);
            _sessions[device.Index] = SessionAsync(device, sequence, copy, previous, cancellationToken);
            return;
        }

        if (_clients[device.Index] is not { IsConnected: true } client)
        {
            // The session dropped and is not back yet: the reading is not sent.
            Counters.AddOffline();
            return;
        }

        await _inFlight.WaitAsync(cancellationToken);
        ValueTask publish;
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            // The client copies the payload into its send pipe before returning, so the buffer may be reused.
            publish = client.PublishAsync(device.UplinkTopic, payload, MqttQoS.AtLeastOnce, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException)
        {
            _inFlight.Release();
            Counters.AddOffline();
            return;
        }

        if (publish.IsCompletedSuccessfully)
        {
            _inFlight.Release();
            Counters.AddAckLatency(sentAt);
            Acked(device, sequence);
        }
        else
        {
            _ = AwaitAckAsync(client, publish, device, sequence, sentAt);
        }
    }

    // A PUBACK: counted, and recorded in the ack log.
    private void Acked(CityDevice device, ulong sequence)
    {
        Counters.AddAcked();
        AckLog?.Add(device.Index, sequence);
    }

    private async Task AwaitAckAsync(DeviceMqttClient client, ValueTask publish, CityDevice device, ulong sequence, long sentAt)
    {
        try
        {
            await publish;
            Counters.AddAckLatency(sentAt);
            Acked(device, sequence);
        }
        catch (Exception e) when (e is MqttClientException or InvalidOperationException or OperationCanceledException)
        {
            // A connection that dropped took the PUBACK with it; anything else is an error.
            if (client.IsConnected)
            {
                Counters.AddError();
            }
            else
            {
                Counters.AddUnacked();
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private IPAddress? SourceAddress()
    {
        // A loopback broker: spread connections over 127.0.0.1, .2, ... (each has its own ephemeral port range).
        var broker = _options.Endpoints[0];
        if (!IPAddress.IsLoopback(broker.Address) || broker.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return null;
        }

        var shard = _options.Shard;
        var n = ((Interlocked.Increment(ref _connectionsOpened) / _options.ConnectionsPerSourceAddress) * shard.Count) + shard.Index;
        return new IPAddress([127, 0, (byte)(n / 254), (byte)(1 + (n % 254))]);
    }
}
