using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sensing.Mqtt;

namespace Sensing.Simulators.Load;

/// <summary>What one hostile connection of the <see cref="Fuzzer"/> tries.</summary>
public enum FuzzCase : byte
{
    /// <summary>A CONNECT whose remaining length promises more than is sent, then the client's FIN.</summary>
    Truncated,

    /// <summary>A remaining length of five bytes (3.1.1 section 2.2.3: at most four): malformed.</summary>
    BadLength,

    /// <summary>A CONNECT claiming 256 KiB, above the server's maximum packet size.</summary>
    Oversize,

    /// <summary>A CONNECT with protocol level 9.</summary>
    BadProtocolLevel,

    /// <summary>A CONNECT with protocol name "MQTX".</summary>
    BadProtocolName,

    /// <summary>A CONNECT whose client id is ill-formed UTF-8 (MQTT-1.5.3-1).</summary>
    InvalidUtf8,

    /// <summary>A PUBLISH before any CONNECT (MQTT-3.1.0-1).</summary>
    PublishFirst,

    /// <summary>Packet type 0 or 15 (reserved).</summary>
    ReservedType,

    /// <summary>A well-formed CONNECT for a device that is not registered (a CONNECT flood).</summary>
    UnknownDevice,

    /// <summary>A CONNECT sent one byte every 500 ms: the connect deadline must close it.</summary>
    SlowLoris,

    /// <summary>Random bytes.</summary>
    Noise,

    /// <summary>An authenticated device (with <see cref="FuzzOptions.Devices"/>) sends a second CONNECT (MQTT-3.1.0-2).</summary>
    SecondConnect,

    /// <summary>An authenticated device publishes at QoS 3 (malformed, 3.3.1.2).</summary>
    QoS3,

    /// <summary>An authenticated device publishes payloads that are no reading, many per connection (dead letters).</summary>
    GarbagePayloads,
}

/// <summary>How a <see cref="Fuzzer"/> connection ended, as the client saw it.</summary>
public enum FuzzOutcome : byte
{
    /// <summary>The server closed the connection without answering.</summary>
    Closed,

    /// <summary>The server answered with a refusing CONNACK (return code or reason code >= 0x80, or 3.1.1 code 1-5) and closed.</summary>
    Refused,

    /// <summary>The server accepted the CONNECT (code 0).</summary>
    Accepted,

    /// <summary>The server sent DISCONNECT (5.0) and closed.</summary>
    Disconnected,

    /// <summary>Still open after the deadline.</summary>
    StillOpen,

    /// <summary>The server reset the connection.</summary>
    Reset,

    /// <summary>Every garbage payload was acknowledged and the connection stayed open.</summary>
    AllAcknowledged,
}

/// <summary>Settings of a fuzz run.</summary>
public sealed record FuzzOptions
{
    /// <summary>The MQTT server.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>
    /// Every endpoint of the servers under test (several gateways of one city), taken in turn connection by
    /// connection; empty: <see cref="Target"/> alone.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Targets { get; init; } = [];

    /// <summary>The endpoints connections go to: <see cref="Targets"/>, or <see cref="Target"/> alone.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => Targets.Count > 0 ? Targets : [Target];

    /// <summary>Hostile packets to send in all.</summary>
    public long Packets { get; init; } = 10_000;

    /// <summary>Connections open at once.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Seed: the same seed sends the same cases in the same order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Registered devices (id = user name) with <see cref="Password"/> for the cases that need a session; none skips them.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Password of <see cref="Devices"/>.</summary>
    public string Password { get; init; } = "";

    /// <summary>Garbage PUBLISH packets per <see cref="FuzzCase.GarbagePayloads"/> connection.</summary>
    public int GarbagePerConnection { get; init; } = 200;

    /// <summary>Longest a connection is given to be closed by the server.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>The figures of a fuzz run.</summary>
public sealed record FuzzReport(long Packets, long Connections, TimeSpan Elapsed, IReadOnlyDictionary<(FuzzCase Case, FuzzOutcome Outcome), long> Outcomes, long Unexpected)
{
    /// <summary>Connects an endpoint refused at the TCP level (the server down) and that were made at the next endpoint.</summary>
    public long ConnectsMoved { get; init; }

    /// <summary>One line per case and outcome, with the expected ones marked.</summary>
    public IEnumerable<string> Lines() =>
        Outcomes.OrderBy(o => o.Key.Case).ThenBy(o => o.Key.Outcome)
            .Select(o => $"{o.Key.Case,-18} {o.Key.Outcome,-16} {o.Value,10:N0}{(Fuzzer.Expected(o.Key.Case, o.Key.Outcome) ? "" : "  UNEXPECTED")}");
}

/// <summary>
/// A seeded fuzzer of our own for an MQTT server: many connections, each sending one kind of malformed or hostile
/// input (<see cref="FuzzCase"/>), recording how the server ended it. Every case has the outcomes the MQTT 3.1.1 and
/// 5.0 specifications allow (<see cref="Expected"/>); anything else is counted as unexpected.
/// </summary>
public sealed class Fuzzer(FuzzOptions options)
{
    private static readonly FuzzCase[] Unauthenticated =
        [FuzzCase.Truncated, FuzzCase.BadLength, FuzzCase.Oversize, FuzzCase.BadProtocolLevel, FuzzCase.BadProtocolName, FuzzCase.InvalidUtf8,
            FuzzCase.PublishFirst, FuzzCase.ReservedType, FuzzCase.UnknownDevice, FuzzCase.Noise];

    private static readonly FuzzCase[] Authenticated = [FuzzCase.SecondConnect, FuzzCase.QoS3, FuzzCase.GarbagePayloads];

    private readonly ConcurrentDictionary<(FuzzCase, FuzzOutcome), long> _outcomes = new();

    // Devices not in use by a connection: a second connection of one device would take its session over (MQTT-3.1.4-3).
    private readonly ConcurrentQueue<string> _freeDevices = new(options.Devices.Distinct());
    private long _packets;
    private long _connections;
    private long _refusedConnects;

    /// <summary>True when the specifications allow <paramref name="outcome"/> for <paramref name="fuzzCase"/>.</summary>
    public static bool Expected(FuzzCase fuzzCase, FuzzOutcome outcome) => fuzzCase switch
    {
        // 3.1.4-1, 3.1.4-2: a CONNECT with a wrong level gets CONNACK 1 (3.1.1) and the close; the server MAY just close.
        FuzzCase.BadProtocolLevel => outcome is FuzzOutcome.Refused or FuzzOutcome.Closed,
        // 4.13, 1.5.3-1: ill-formed or malformed input closes the connection (5.0: after a CONNACK or DISCONNECT with a reason).
        FuzzCase.BadProtocolName or FuzzCase.InvalidUtf8 => outcome is FuzzOutcome.Closed or FuzzOutcome.Refused,
        FuzzCase.UnknownDevice => outcome == FuzzOutcome.Refused,
        FuzzCase.SecondConnect or FuzzCase.QoS3 => outcome is FuzzOutcome.Closed or FuzzOutcome.Disconnected,
        FuzzCase.GarbagePayloads => outcome == FuzzOutcome.AllAcknowledged,
        _ => outcome == FuzzOutcome.Closed,
    };

    /// <summary>Runs until <see cref="FuzzOptions.Packets"/> are sent; <paramref name="progress"/> hears every few seconds.</summary>
    public async Task<FuzzReport> RunAsync(Action<string>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        FuzzCase[] cases = options.Devices.Count > 0 ? [.. Unauthenticated, .. Authenticated] : Unauthenticated;
        using var gate = new SemaphoreSlim(options.Concurrency);
        var running = new List<Task>();
        var lastProgress = clock.Elapsed;
        var endpoints = options.Endpoints;
        long opened = 0;
        while (Interlocked.Read(ref _packets) < options.Packets && !cancellationToken.IsCancellationRequested)
        {
            await gate.WaitAsync(cancellationToken);
            // One slow-loris in 200 connections: each holds a connection for the server's connect deadline.
            var fuzzCase = random.Next(200) == 0 ? FuzzCase.SlowLoris : cases[random.Next(cases.Length)];
            var seed = random.Next();
            var device = "";
            if (Authenticated.Contains(fuzzCase) && !_freeDevices.TryDequeue(out device!))
            {
                // Every device is busy: an unauthenticated case instead.
                fuzzCase = Unauthenticated[random.Next(Unauthenticated.Length)];
                device = "";
            }

            var target = (int)(opened++ % endpoints.Count);
            running.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        var outcome = await RunOneAsync(target, fuzzCase, new Random(seed), device, cancellationToken);
                        _outcomes.AddOrUpdate((fuzzCase, outcome), 1, (_, n) => n + 1);
                        Interlocked.Increment(ref _connections);
                    }
                    finally
                    {
                        if (device.Length > 0)
                        {
                            _freeDevices.Enqueue(device);
                        }

                        gate.Release();
                    }
                },
                cancellationToken));
            if (running.Count > 4 * options.Concurrency)
            {
                running.RemoveAll(t => t.IsCompleted);
            }

            if (progress is not null && clock.Elapsed - lastProgress > TimeSpan.FromSeconds(5))
            {
                lastProgress = clock.Elapsed;
                progress($"fuzz: {Interlocked.Read(ref _packets):N0}/{options.Packets:N0} packets, {Interlocked.Read(ref _connections):N0} connections, {Unexpected():N0} unexpected");
            }
        }

        await Task.WhenAll(running);
        return new FuzzReport(_packets, _connections, clock.Elapsed, new Dictionary<(FuzzCase, FuzzOutcome), long>(_outcomes), Unexpected())
        {
            ConnectsMoved = Interlocked.Read(ref _refusedConnects),
        };
    }

    private long Unexpected() => _outcomes.Where(o => !Expected(o.Key.Item1, o.Key.Item2)).Sum(o => o.Value);

    private async Task<FuzzOutcome> RunOneAsync(int target, FuzzCase fuzzCase, Random random, string device, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Deadline);
        Socket? connected = null;
        try
        {
            connected = await ConnectAsync(target, deadline.Token);
            var socket = connected;
            switch (fuzzCase)
            {
                case FuzzCase.SlowLoris:
                    var connect = Connect(4, "MQTT", Encoding.UTF8.GetBytes("slow-" + random.Next()), "slow", "slow");
                    Interlocked.Increment(ref _packets);
                    foreach (var b in connect)
                    {
                        if (!await TrySendAsync(socket, [b], deadline.Token))
                        {
                            break;
                        }

                        await Task.Delay(500, deadline.Token);
                    }

                    return await ReadOutcomeAsync(socket, deadline.Token);
                case FuzzCase.SecondConnect or FuzzCase.QoS3 or FuzzCase.GarbagePayloads:
                    return await AuthenticatedAsync(socket, fuzzCase, random, device, deadline.Token);
                default:
                    await socket.SendAsync(Hostile(fuzzCase, random), SocketFlags.None, deadline.Token);
                    Interlocked.Increment(ref _packets);
                    if (fuzzCase == FuzzCase.Truncated)
                    {
                        socket.Shutdown(SocketShutdown.Send);
                    }

                    return await ReadOutcomeAsync(socket, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FuzzOutcome.StillOpen;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            return FuzzOutcome.Reset;
        }
        finally
        {
            connected?.Dispose();
        }
    }

    // A connection to endpoint number `first`; when its port refuses (that server is down, as a killed gateway of a city
    // is), to the next endpoint, as a device behind one name with several addresses would. Not an ending of the case.
    private async Task<Socket> ConnectAsync(int first, CancellationToken cancellationToken)
    {
        var endpoints = options.Endpoints;
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoints[(first + attempt) % endpoints.Count], cancellationToken);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && attempt + 1 < endpoints.Count)
            {
                socket.Dispose();
                Interlocked.Increment(ref _refusedConnects);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private async Task<FuzzOutcome> AuthenticatedAsync(Socket socket, FuzzCase fuzzCase, Random random, string device, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Connect(4, "MQTT", Encoding.UTF8.GetBytes(device), device, options.Password), SocketFlags.None, cancellationToken);
        var connAck = new byte[4];
        if (!await ReadExactlyAsync(socket, connAck, cancellationToken) || connAck[0] != 0x20 || connAck[3] != 0)
        {
            return connAck[0] == 0x20 ? FuzzOutcome.Refused : FuzzOutcome.Closed;
        }

        switch (fuzzCase)
        {
            case FuzzCase.SecondConnect:
                await socket.SendAsync(Connect(4, "MQTT", Encoding.UTF8.GetBytes(device), device, options.Password), SocketFlags.None, cancellationToken);
                Interlocked.Increment(ref _packets);
                return await ReadOutcomeAsync(socket, cancellationToken);
            case FuzzCase.QoS3:
                await socket.SendAsync(Publish(device, 0x36, 1, "{\"seq\":1}"u8.ToArray()), SocketFlags.None, cancellationToken);
                Interlocked.Increment(ref _packets);
                return await ReadOutcomeAsync(socket, cancellationToken);
            default:
                // QoS 1 PUBLISHes of garbage: each must be acknowledged (the payload goes to the dead-letter topic with
                // its reason), the connection must stay.
                var count = options.GarbagePerConnection;
                var batch = new List<byte>();
                for (var i = 1; i <= count; i++)
                {
                    var payload = new byte[random.Next(1, 64)];
                    random.NextBytes(payload);
                    payload[0] = (byte)'#';
                    batch.AddRange(Publish(device, 0x32, (ushort)i, payload));
                }

                await socket.SendAsync(batch.ToArray(), SocketFlags.None, cancellationToken);
                Interlocked.Add(ref _packets, count);
                var acks = new byte[4 * count];
                if (!await ReadExactlyAsync(socket, acks, cancellationToken))
                {
                    return FuzzOutcome.Closed;
                }

                for (var i = 0; i < count; i++)
                {
                    if (acks[4 * i] != 0x40)
                    {
                        return FuzzOutcome.Closed;
                    }
                }

                await socket.SendAsync(new byte[] { 0xE0, 0x00 }, SocketFlags.None, cancellationToken);
                return FuzzOutcome.AllAcknowledged;
        }
    }

    private static byte[] Hostile(FuzzCase fuzzCase, Random random)
    {
        var id = Encoding.UTF8.GetBytes("fuzz-" + random.Next());
        switch (fuzzCase)
        {
            case FuzzCase.Truncated:
                var whole = Connect(4, "MQTT", id, null, null);
                return whole[..random.Next(2, whole.Length - 1)];
            case FuzzCase.BadLength:
                return [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x04];
            case FuzzCase.Oversize:
                // Remaining length 262,144 (0x80 0x80 0x10), then the start of a CONNECT.
                return [0x10, 0x80, 0x80, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02];
            case FuzzCase.BadProtocolLevel:
                return Connect(9, "MQTT", id, null, null);
            case FuzzCase.BadProtocolName:
                return Connect(4, "MQTX", id, null, null);
            case FuzzCase.InvalidUtf8:
                return Connect(4, "MQTT", [0x66, 0xC3, 0x28, 0xFF], null, null);
            case FuzzCase.PublishFirst:
                return Publish("fuzz", 0x30, 0, "{}"u8.ToArray());
            case FuzzCase.ReservedType:
                return [(byte)(random.Next(2) == 0 ? 0x00 : 0xF0), 0x00];
            case FuzzCase.UnknownDevice:
                var name = "nobody-" + random.Next();
                return Connect(4, "MQTT", Encoding.UTF8.GetBytes(name), name, "wrong");
            default:
                var noise = new byte[random.Next(1, 512)];
                random.NextBytes(noise);
                // Not by chance a CONNECT: a noise packet of type CONNECT could be well-formed.
                noise[0] = (byte)((noise[0] & 0x0F) | 0xF0);
                return noise;
        }
    }

    private static byte[] Connect(byte level, string protocol, byte[] clientId, string? user, string? password)
    {
        var body = new List<byte>();
        var name = Encoding.ASCII.GetBytes(protocol);
        body.AddRange([0, (byte)name.Length, .. name, level]);
        var flags = (byte)(0x02 | (user is null ? 0 : 0x80) | (password is null ? 0 : 0x40));
        body.AddRange([flags, 0, 60]);
        Field(body, clientId);
        if (user is not null)
        {
            Field(body, Encoding.UTF8.GetBytes(user));
        }

        if (password is not null)
        {
            Field(body, Encoding.UTF8.GetBytes(password));
        }

        return Packet(0x10, body);
    }

    private static byte[] Publish(string device, byte header, ushort packetId, byte[] payload)
    {
        var body = new List<byte>();
        Field(body, Encoding.UTF8.GetBytes($"sensing/{device}/up"));
        if ((header & 0x06) != 0)
        {
            body.AddRange([(byte)(packetId >> 8), (byte)packetId]);
        }

        body.AddRange(payload);
        return Packet(header, body);
    }

    private static void Field(List<byte> body, byte[] value)
    {
        body.AddRange([(byte)(value.Length >> 8), (byte)value.Length]);
        body.AddRange(value);
    }

    private static byte[] Packet(byte header, List<byte> body)
    {
        Span<byte> length = stackalloc byte[4];
        var lengthBytes = MqttVariableByteInteger.Write(length, body.Count);
        return [header, .. length[..lengthBytes], .. body];
    }

    private static async Task<bool> TrySendAsync(Socket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    // Reads until the server closes: what it sent first tells how it ended the connection.
    private static async Task<FuzzOutcome> ReadOutcomeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        var received = new List<byte>();
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return received.Count == 0 ? FuzzOutcome.Reset : Classify(received);
            }

            if (n == 0)
            {
                return Classify(received);
            }

            received.AddRange(buffer.AsSpan(0, n));
        }
    }

    private static FuzzOutcome Classify(List<byte> received)
    {
        if (received.Count == 0)
        {
            return FuzzOutcome.Closed;
        }

        return received[0] switch
        {
            0x20 when received.Count >= 4 => received[3] == 0 ? FuzzOutcome.Accepted : FuzzOutcome.Refused,
            0xE0 => FuzzOutcome.Disconnected,
            _ => FuzzOutcome.Closed,
        };
    }
}
