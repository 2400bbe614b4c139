using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// The send path: callers encode packets under <see cref="_writeLock"/> straight into a Pipe (which never pauses);
/// one send loop copies whatever accumulated to the socket, so packets written meanwhile go out in one send. QoS 0
/// publishes wait only when more than <see cref="DeviceMqttConnectOptions.MaxSendBacklogBytes"/> are queued.
/// </summary>
public sealed partial class DeviceMqttClient
{
    private readonly Lock _writeLock = new();
    private Pipe? _output;
    private Task _sendLoop = Task.CompletedTask;
    private bool _sendClosed;
    private long _backlog;
    private long _lastSendTicks;
    private TaskCompletionSource? _drained;

    private void StartSending()
    {
        // pauseWriterThreshold 0: FlushAsync never waits, it only publishes the bytes to the send loop; backpressure
        // is the in-flight limit (QoS 1/2) and the backlog check (QoS 0). The reader runs on the thread pool so the
        // send loop never runs inside a caller's lock.
        _output = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.ThreadPool, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0,
            resumeWriterThreshold: 0, minimumSegmentSize: 512, useSynchronizationContext: false));
        Volatile.Write(ref _lastSendTicks, Environment.TickCount64);
        _sendLoop = SendLoopAsync(_output.Reader);
    }

    private async Task SendLoopAsync(PipeReader reader)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _stream!.WriteAsync(segment).ConfigureAwait(false);
                }

                var sent = buffer.Length;
                reader.AdvanceTo(buffer.End);
                OnSent(sent);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(DeviceMqttCloseReason.ConnectionLost, MqttReasonCode.Success, e, notifyServer: false);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void OnSent(long bytes)
    {
        var backlog = Interlocked.Add(ref _backlog, -bytes);
        TaskCompletionSource? drained = null;
        lock (_writeLock)
        {
            if (_drained is not null && backlog <= _options.MaxSendBacklogBytes / 2)
            {
                drained = _drained;
                _drained = null;
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Completes at once unless the send backlog is over the limit; then when it has halved.</summary>
    private ValueTask WaitForBacklogAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _backlog) <= _options.MaxSendBacklogBytes)
        {
            return default;
        }

        TaskCompletionSource drained;
        lock (_writeLock)
        {
            if (_sendClosed)
            {
                return ValueTask.FromException(_closeException!);
            }

            if (Volatile.Read(ref _backlog) <= _options.MaxSendBacklogBytes / 2)
            {
                return default;
            }

            drained = _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(drained.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Makes a packet just encoded under <see cref="_writeLock"/> visible to the send loop.</summary>
    private void CommitLocked(int bytes)
    {
        Interlocked.Add(ref _backlog, bytes);
        Volatile.Write(ref _lastSendTicks, Environment.TickCount64);

        // Completes synchronously: the pipe never pauses the writer (pauseWriterThreshold 0).
        _output!.Writer.FlushAsync().GetAwaiter().GetResult();
    }

    private void WriteConnect(DeviceMqttConnectOptions options)
    {
        lock (_writeLock)
        {
            var n = MqttPacketWriter.WriteConnect(_output!.Writer, new MqttConnectRequest
            {
                Version = options.Version,
                ClientId = Encoding.UTF8.GetBytes(options.ClientId),
                CleanStart = options.CleanSession,
                KeepAliveSeconds = options.KeepAliveSeconds,
                UserName = options.UserName is null ? default : Encoding.UTF8.GetBytes(options.UserName),
                Password = options.Password is null ? default : Encoding.UTF8.GetBytes(options.Password),
                SessionExpiryInterval = options.SessionExpiryInterval,

                // 5.0 section 3.1.2.11.4: tell the server the largest packet we accept; Receive Maximum (3.1.2.11.3) is
                // left at its default because downlink acknowledgments are sent at once.
                MaximumPacketSize = (uint)options.MaxIncomingPacketSize,
            });
            CommitLocked(n);
        }
    }

    /// <summary>Writes PUBACK, PUBREC, PUBREL or PUBCOMP with reason Success; false once the connection is closing.</summary>
    private bool WriteAck(MqttPacketType type, ushort packetId)
    {
        lock (_writeLock)
        {
            if (_sendClosed)
            {
                return false;
            }

            var writer = _output!.Writer;
            var n = type switch
            {
                MqttPacketType.PubAck => MqttPacketWriter.WritePubAck(writer, _version, packetId),
                MqttPacketType.PubRec => MqttPacketWriter.WritePubRec(writer, _version, packetId),
                MqttPacketType.PubRel => MqttPacketWriter.WritePubRel(writer, _version, packetId),
                _ => MqttPacketWriter.WritePubComp(writer, _version, packetId),
            };
            CommitLocked(n);
            return true;
        }
    }

    private bool WritePingReq()
    {
        lock (_writeLock)
        {
            if (_sendClosed)
            {
                return false;
            }

            CommitLocked(MqttPacketWriter.WritePingReq(_output!.Writer));
            return true;
        }
    }

    /// <summary>Optionally queues a last DISCONNECT, then completes the pipe so the send loop flushes and ends.</summary>
    private void StopSending(MqttReasonCode? disconnect, Exception exception)
    {
        TaskCompletionSource? drained;
        lock (_writeLock)
        {
            if (_sendClosed)
            {
                return;
            }

            if (disconnect is { } code && _output is not null)
            {
                CommitLocked(MqttPacketWriter.WriteDisconnect(_output.Writer, _version, code));
            }

            _sendClosed = true;
            _output?.Writer.Complete();
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetException(exception);
    }
}
