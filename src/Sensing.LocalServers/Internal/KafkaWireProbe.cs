using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sensing.LocalServers.Internal;

/// <summary>A partition as the broker reports it: error code, id, leader (-1 while none).</summary>
internal readonly record struct KafkaPartitionState(short Error, int Partition, int Leader);

/// <summary>A topic as the broker reports it.</summary>
internal sealed record KafkaTopicState(short Error, string Name, IReadOnlyList<KafkaPartitionState> Partitions);

/// <summary>The broker's answer to a Metadata request.</summary>
internal sealed record KafkaClusterState(IReadOnlyList<int> BrokerIds, IReadOnlyList<KafkaTopicState> Topics);

/// <summary>
/// Two version-0 requests of the Kafka wire protocol, written by hand over one TCP connection so that
/// this project needs no Kafka client library: Metadata (api key 3) to see brokers and partition
/// leaders, and ListOffsets (api key 2) to see that the leader really serves a partition — right
/// after a broker (re)start the metadata can name a leader before it has loaded the partition.
/// Layouts from the Kafka protocol guide (kafka.apache.org/protocol), versions 0 of both APIs, which
/// every broker from 0.8 on answers. All integers are big-endian; strings are int16 length + UTF-8;
/// arrays are int32 count + items.
/// </summary>
internal static class KafkaWireProbe
{
    private const short ListOffsetsApiKey = 2;
    private const short MetadataApiKey = 3;
    private const int CorrelationId = 1;

    /// <summary>Metadata v0; an empty <paramref name="topics"/> list asks for every topic.</summary>
    public static async Task<KafkaClusterState> GetMetadataAsync(int port, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        var request = StartRequest(MetadataApiKey);
        WriteInt32(request, topics.Count);
        foreach (string topic in topics)
        {
            WriteString(request, topic);
        }

        byte[] response = await ExchangeAsync(port, request, cancellationToken).ConfigureAwait(false);
        return ParseMetadata(response);
    }

    /// <summary>ListOffsets v0 for the latest offset of every partition; returns the error code per partition.</summary>
    public static async Task<IReadOnlyList<short>> ListLatestOffsetErrorsAsync(int port, KafkaTopicState topic, CancellationToken cancellationToken)
    {
        var request = StartRequest(ListOffsetsApiKey);
        WriteInt32(request, -1); // replica_id: -1 means an ordinary client
        WriteInt32(request, 1);
        WriteString(request, topic.Name);
        WriteInt32(request, topic.Partitions.Count);
        foreach (KafkaPartitionState partition in topic.Partitions)
        {
            WriteInt32(request, partition.Partition);
            WriteInt64(request, -1); // timestamp -1: the latest offset
            WriteInt32(request, 1); // max_num_offsets
        }

        byte[] response = await ExchangeAsync(port, request, cancellationToken).ConfigureAwait(false);
        var reader = new Reader(response);
        var errors = new List<short>();
        for (int t = reader.Int32(); t > 0; t--)
        {
            reader.String();
            for (int p = reader.Int32(); p > 0; p--)
            {
                reader.Int32(); // partition
                errors.Add(reader.Int16());
                reader.Skip(8 * reader.Int32()); // offsets
            }
        }

        return errors;
    }

    private static KafkaClusterState ParseMetadata(byte[] response)
    {
        var reader = new Reader(response);
        var brokers = new List<int>();
        for (int b = reader.Int32(); b > 0; b--)
        {
            brokers.Add(reader.Int32());
            reader.String(); // host
            reader.Int32(); // port
        }

        var topics = new List<KafkaTopicState>();
        for (int t = reader.Int32(); t > 0; t--)
        {
            short topicError = reader.Int16();
            string name = reader.String();
            var partitions = new List<KafkaPartitionState>();
            for (int p = reader.Int32(); p > 0; p--)
            {
                partitions.Add(new KafkaPartitionState(reader.Int16(), reader.Int32(), reader.Int32()));
                reader.Skip(4 * reader.Int32()); // replicas
                reader.Skip(4 * reader.Int32()); // isr
            }

            topics.Add(new KafkaTopicState(topicError, name, partitions));
        }

        return new KafkaClusterState(brokers, topics);
    }

    private static ArrayBufferWriter<byte> StartRequest(short apiKey)
    {
        var request = new ArrayBufferWriter<byte>();
        WriteInt32(request, 0); // size, patched in ExchangeAsync
        WriteInt16(request, apiKey);
        WriteInt16(request, 0); // api_version
        WriteInt32(request, CorrelationId);
        WriteString(request, "sensing-local-servers");
        return request;
    }

    private static async Task<byte[]> ExchangeAsync(int port, ArrayBufferWriter<byte> request, CancellationToken cancellationToken)
    {
        byte[] bytes = request.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(bytes, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var size = new byte[4];
        await ReceiveExactlyAsync(socket, size, timeout.Token).ConfigureAwait(false);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await ReceiveExactlyAsync(socket, body, timeout.Token).ConfigureAwait(false);
        if (body.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(body) != CorrelationId)
        {
            throw new InvalidDataException("Kafka answered with an unexpected correlation id");
        }

        return body[4..];
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (int filled = 0; filled < buffer.Length;)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            filled += read > 0 ? read : throw new InvalidDataException("Kafka closed the connection mid-response");
        }
    }

    private static void WriteInt16(ArrayBufferWriter<byte> writer, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteInt16(writer, checked((short)length));
        writer.Advance(Encoding.UTF8.GetBytes(value, writer.GetSpan(length)));
    }

    /// <summary>Reads big-endian fields from a response body, in order.</summary>
    private sealed class Reader(byte[] buffer)
    {
        private int _position;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public string String()
        {
            short length = Int16();
            return length < 0 ? "" : Encoding.UTF8.GetString(Take(length));
        }

        public void Skip(int count) => Take(count);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _position + count > buffer.Length)
            {
                throw new InvalidDataException("Kafka response is shorter than its fields");
            }

            var span = buffer.AsSpan(_position, count);
            _position += count;
            return span;
        }
    }
}
