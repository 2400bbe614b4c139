using MQTTnet;
using MQTTnet.Protocol;
using Sensing.Mqtt;
using Sensing.Simulators.Mqtt;

namespace Sensing.LibraryBench;

/// <summary>One simulated device's connection, through one of the two clients compared.</summary>
internal interface ISimSession
{
    Task ConnectAsync(string host, int port, string clientId);

    /// <summary>Publishes one reading at QoS 1 and completes on its PUBACK.</summary>
    Task PublishAsync(byte[] payload);

    Task CloseAsync();
}

/// <summary>The project's simulated-device client (simulators/Sensing.Simulators/Mqtt), as <c>sensing sim</c> uses it.</summary>
internal sealed class HandwrittenSession : ISimSession
{
    private readonly DeviceMqttClient _client = new();
    private ReadOnlyMemory<byte> _topic;

    public async Task ConnectAsync(string host, int port, string clientId)
    {
        _topic = System.Text.Encoding.ASCII.GetBytes($"sensing/{clientId}/up");
        await _client.ConnectAsync(DeviceMqttConnectOptions.Default with
        {
            Host = host, Port = port, ClientId = clientId, UserName = clientId, Password = "bench", Version = MqttProtocolVersion.V311, KeepAliveSeconds = 300,
        });
    }

    public async Task PublishAsync(byte[] payload) => await _client.PublishAsync(_topic, payload, MqttQoS.AtLeastOnce);

    public Task CloseAsync() => _client.DisconnectAsync();
}

/// <summary>An MQTTnet 5 client per device, with the options a device would set.</summary>
internal sealed class MqttNetSession : ISimSession
{
    private static readonly MqttClientFactory Factory = new();
    private readonly IMqttClient _client = Factory.CreateMqttClient();
    private string _topic = "";

    public async Task ConnectAsync(string host, int port, string clientId)
    {
        _topic = $"sensing/{clientId}/up";
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCredentials(clientId, "bench")
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(300))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        var result = await _client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException("refused: " + result.ResultCode);
        }
    }

    public async Task PublishAsync(byte[] payload)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException("refused: " + result.ReasonCode);
        }
    }

    public async Task CloseAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }
}
