using Sensing.Up;

namespace Sensing.IntegrationTests.Up;

/// <summary>
/// How many gateways <c>sensing up</c> starts: the fewest whose survivors hold every persistent session under the
/// per-process bound when one is killed, at least two. No server is started.
/// </summary>
[TestFixture]
public sealed class GatewayCountTests
{
    [TestCase(1, 2)]
    [TestCase(6_000, 2)]
    [TestCase(16_000, 2)]
    [TestCase(16_001, 3)]
    [TestCase(60_422, 5)] // the default city
    [TestCase(64_000, 5)]
    [TestCase(64_001, 6)]
    public void GatewaysFor_PersistentSessions_SurvivorsHoldThemAllWhenOneIsLost(int sessions, int expected)
    {
        var gateways = UpOptions.GatewaysFor(sessions);

        Assert.That(gateways, Is.EqualTo(expected));
        Assert.That((sessions + gateways - 2) / (gateways - 1), Is.LessThanOrEqualTo(UpOptions.SessionsPerGateway),
            "with one gateway lost, the others hold every session under the bound");
    }
}
