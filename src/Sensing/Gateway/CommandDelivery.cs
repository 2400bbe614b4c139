using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Sensing.Core.Commands;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>
/// Reads <c>sensing.commands</c> and <c>sensing.command-acks</c> from their start (in its own consumer group,
/// <c>sensing-gateway-{id}</c>, committing nothing) into the <see cref="CommandLedger"/>, and hands each new command
/// to the session of its device, if this gateway holds one; the session sends it as a PUBLISH on
/// <c>sensing/{device}/down</c> or keeps it for the device's next connection. A device that connects here without a
/// session is given the commands still pending for it wherever they were queued, so a command survives the gateway
/// that held it. When a device has a command (its PUBACK, or a QoS 0 send) an acknowledgement keyed by the command id
/// goes to <c>sensing.command-acks</c>, and no gateway sends it again. A device may still see a command twice (a
/// gateway died between the device's PUBACK and the acknowledgement's write): it tells them apart by the command id.
/// </summary>
public sealed class CommandDelivery(
    GatewayOptions options, KafkaOptions kafka, SessionBook sessions, RecordProducer producer, ILogger<CommandDelivery> log) : BackgroundService
{
    private readonly ConcurrentQueue<DeviceCommandAck> _acks = new();
    private long _read;
    private long _invalid;
    private long _acksWritten;

    /// <summary>Commands read from Kafka.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Records that were not a command (skipped and logged).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Acknowledgements written to <c>sensing.command-acks</c>.</summary>
    public long AcksWritten => Interlocked.Read(ref _acksWritten);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var id = options.EffectiveGatewayId;
        sessions.Delivered += OnDelivered;
        try
        {
            // Every partition of both topics from its start, on every assignment: the ledger is rebuilt after a
            // restart, and a command read twice is known by its id.
            using var consumer = new RecordConsumer(kafka, "sensing-gateway-" + id, "sensing-gateway-commands-" + id,
                m => log.LogWarning("{Message}", m), startOffsets: partitions => partitions.Distinct().ToDictionary(p => p, _ => RecordConsumer.Beginning));
            consumer.Subscribe(kafka.Topics.Commands, kafka.Topics.CommandAcks);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    WriteAcks();
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
                    {
                        if (record.Topic == kafka.Topics.CommandAcks)
                        {
                            HandleAck(record);
                        }
                        else
                        {
                            Handle(record);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A broker restart or a rebalance (the client's exceptions): log and go on.
                    log.LogWarning("command consumer: {Reason}", e.Message);
                    stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                }
            }
        }
        finally
        {
            sessions.Delivered -= OnDelivered;
            WriteAcks();
        }
    }

    // Under the session's lock: the ledger forgets the command now, the acknowledgement is written by the loop.
    private void OnDelivered(DeviceInfo device, byte[] payload)
    {
        if (Parse(payload) is not { } command)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        sessions.Ledger.Acknowledge(command.Id, device.Id, now);
        _acks.Enqueue(new DeviceCommandAck { CommandId = command.Id, Device = device.Id, Gateway = options.EffectiveGatewayId, AcknowledgedAtMs = now });
    }

    private void WriteAcks()
    {
        while (_acks.TryDequeue(out var ack))
        {
            var value = JsonSerializer.SerializeToUtf8Bytes(ack, DeviceCommandJsonContext.Default.DeviceCommandAck);
            _ = producer.ProduceAndWaitAsync(kafka.Topics.CommandAcks, Encoding.UTF8.GetBytes(ack.CommandId), value, CancellationToken.None)
                .ContinueWith(
                    t =>
                    {
                        if (t.IsCompletedSuccessfully && t.Result.Persisted)
                        {
                            Interlocked.Increment(ref _acksWritten);
                        }
                        else
                        {
                            // Other gateways may then send the command once more; the device knows it by its id.
                            log.LogWarning("command {Id}: acknowledgement not written ({Reason})", ack.CommandId,
                                t.IsCompletedSuccessfully ? t.Result.Error : t.Exception?.GetBaseException().Message);
                        }
                    },
                    TaskScheduler.Default);
        }
    }

    private void Handle(ConsumedRecord record)
    {
        Interlocked.Increment(ref _read);
        if (Parse(record.Value) is not { } command)
        {
            Interlocked.Increment(ref _invalid);
            log.LogWarning("sensing.commands offset {Offset}: not a device command, skipped ({Key})", record.Offset, Encoding.UTF8.GetString(record.Key));
            return;
        }

        // Known already (read again after a restart or rebalance, acknowledged, or past its time to live): not again.
        if (!sessions.Ledger.Add(command.Id, command.Device, command.IssuedAtMs, record.Value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
        {
            return;
        }

        // The device receives the command record as it is on the topic (JSON, see DeviceCommand).
        sessions.Deliver(command.Device, record.Value);
    }

    private void HandleAck(ConsumedRecord record)
    {
        DeviceCommandAck? ack = null;
        try
        {
            ack = JsonSerializer.Deserialize(record.Value, DeviceCommandJsonContext.Default.DeviceCommandAck);
        }
        catch (JsonException)
        {
        }

        if (ack is null)
        {
            log.LogWarning("sensing.command-acks offset {Offset}: not a command acknowledgement, skipped", record.Offset);
            return;
        }

        sessions.Ledger.Acknowledge(ack.CommandId, ack.Device, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    private static DeviceCommand? Parse(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, DeviceCommandJsonContext.Default.DeviceCommand) is { Device.Length: > 0 } command ? command : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
