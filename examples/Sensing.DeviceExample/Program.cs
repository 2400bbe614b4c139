// A methane detector talking to Sensing with MQTTnet 5 (docs/devices.md).
// Usage: dotnet run -- HOST PORT DEVICE PASSWORD [READINGS] [COMMAND_WAIT_SECONDS]
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

var host = args[0];
var port = int.Parse(args[1], CultureInfo.InvariantCulture);
var device = args[2];
var password = args[3];
var readings = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
var commandWait = TimeSpan.FromSeconds(args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 30);

using var client = new MqttClientFactory().CreateMqttClient();
var command = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
client.ApplicationMessageReceivedAsync += e =>
{
    // Commands come as JSON on sensing/<id>/down at QoS 1; MQTTnet sends the PUBACK when this handler returns.
    command.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
    return Task.CompletedTask;
};

var options = new MqttClientOptionsBuilder()
    .WithEndPoint(new DnsEndPoint(host, port))
    .WithTcpServer(tcp => tcp.LingerState = new LingerOption(false, 0)) // close with FIN (docs/devices.md)
    .WithProtocolVersion(MqttProtocolVersion.V500)
    .WithClientId(device)
    .WithCredentials(device, password)                         // the device id and its secret from the registry
    .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
    .WithCleanStart(false).WithSessionExpiryInterval(86_400)   // commands wait up to a day while the device is away
    .WithWillTopic($"sensing/{device}/up").WithWillPayload("offline") // the gateway records online=0 if the link dies
    .Build();

var connected = await client.ConnectAsync(options);
Console.WriteLine($"connected session-present={connected.IsSessionPresent}");
await client.SubscribeAsync($"sensing/{device}/down", MqttQualityOfServiceLevel.AtLeastOnce);
Console.WriteLine("subscribed");

for (var seq = 1; seq <= readings; seq++)
{
    // One reading: a sequence number the device keeps across restarts, and the metrics of its kind.
    var lel = 1.5 + seq;
    var payload = string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"lel\":{lel}}}");
    var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
        .WithTopic($"sensing/{device}/up")
        .WithPayload(payload)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce) // PUBACK only once the reading is in Kafka
        .Build());
    if (!result.IsSuccess)
    {
        Console.Error.WriteLine($"reading {seq} refused: {result.ReasonCode} {result.ReasonString}");
        return 1;
    }

    Console.WriteLine($"reading {seq} acknowledged");
}

var done = await Task.WhenAny(command.Task, Task.Delay(commandWait));
Console.WriteLine(done == command.Task ? "command " + command.Task.Result : "no command");
await client.DisconnectAsync(); // a clean DISCONNECT: no offline event
return 0;
