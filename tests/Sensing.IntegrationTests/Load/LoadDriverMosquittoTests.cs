using System.Net;
using Sensing.Mqtt;
using Sensing.Simulators.Load;

namespace Sensing.IntegrationTests.Load;

[TestFixture]
public sealed class LoadDriverMosquittoTests
{
    [Test]
    public async Task RunAsync_QoS1AgainstMosquitto_AcknowledgedEqualsSent()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var driver = new LoadDriver(new LoadOptions
        {
            Target = broker.EndPoint,
            Connections = 40,
            Rate = 4_000,
            QoS = MqttQoS.AtLeastOnce,
            Duration = TimeSpan.FromSeconds(3),
            SourceAddresses = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")],
        });
        var live = new List<LoadReport>();

        var report = await driver.RunAsync(live.Add, CancellationToken.None);

        Assert.That(report.Connected, Is.EqualTo(40));
        Assert.That(report.ConnectFailures, Is.Zero);
        Assert.That(report.Lost, Is.Zero);
        Assert.That(report.Sent, Is.InRange(8_000, 14_000), "about rate x duration");
        Assert.That(report.Acknowledged, Is.EqualTo(report.Sent));
        Assert.That(driver.Latency.Count, Is.EqualTo(report.Acknowledged));
        Assert.That(report.P50Microseconds, Is.GreaterThan(0));
        Assert.That(report.P99Microseconds, Is.GreaterThanOrEqualTo(report.P50Microseconds));
        Assert.That(live, Has.Count.GreaterThanOrEqualTo(2), "a live line each second");
    }

    [Test]
    public async Task RunAsync_QoS0AgainstMosquitto_SentWithoutAcknowledgments()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var report = await new LoadDriver(new LoadOptions
        {
            Target = broker.EndPoint,
            Connections = 10,
            Rate = 2_000,
            QoS = MqttQoS.AtMostOnce,
            Duration = TimeSpan.FromSeconds(2),
        }).RunAsync(null, CancellationToken.None);

        Assert.That(report.Sent, Is.InRange(3_000, 5_000));
        Assert.That(report.Acknowledged, Is.Zero);
        Assert.That(report.Lost, Is.Zero);
    }
}
