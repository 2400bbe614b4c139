using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sensing.Core.Commands;
using Sensing.Kafka;

namespace Sensing.Gateway;

/// <summary>
/// Reads <c>sensing.commands</c> and hands each command to the session of its device, if this gateway holds one;
/// the session sends it as a PUBLISH on <c>sensing/{device}/down</c> or keeps it for the device's next connection.
/// Every gateway reads every partition in its own consumer group (<c>sensing-gateway-{id}</c>), because a device's
/// connection can be on any gateway. Offsets are committed after the commands were handed over, so a restarted
/// gateway goes on where it stopped; commands held for offline devices live in memory only.
/// </summary>
public sealed class CommandDelivery(GatewayOptions options, KafkaOptions kafka, SessionBook sessions, ILogger<CommandDelivery> log) : BackgroundService
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);
    private long _read;
    private long _invalid;

    /// <summary>Commands read from Kafka.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Records that were not a command (skipped and logged).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var id = options.EffectiveGatewayId;
        using var consumer = new RecordConsumer(kafka, "sensing-gateway-" + id, "sensing-gateway-commands-" + id,
            m => log.LogWarning("{Message}", m));
        consumer.Subscribe(kafka.Topics.Commands);
        var next = new Dictionary<int, long>();
        var sinceCommit = Stopwatch.StartNew();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(250)) is { } record)
                {
                    Handle(record);
                    next[record.Partition] = record.Offset + 1;
                }

                if (next.Count != 0 && sinceCommit.Elapsed >= CommitInterval)
                {
                    consumer.Commit(kafka.Topics.Commands, next);
                    next.Clear();
                    sinceCommit.Restart();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A broker restart or a rebalance (the client's exceptions): log and go on; uncommitted commands are
                // read again.
                log.LogWarning("command consumer: {Reason}", e.Message);
                stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Handle(ConsumedRecord record)
    {
        Interlocked.Increment(ref _read);
        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(record.Value, DeviceCommandJsonContext.Default.DeviceCommand);
        }
        catch (JsonException)
        {
            command = null;
        }

        if (command is null || command.Device.Length == 0)
        {
            Interlocked.Increment(ref _invalid);
            log.LogWarning("sensing.commands offset {Offset}: not a device command, skipped ({Key})", record.Offset, Encoding.UTF8.GetString(record.Key));
            return;
        }

        // The device receives the command record as it is on the topic (JSON, see DeviceCommand).
        sessions.Deliver(command.Device, record.Value);
    }
}
