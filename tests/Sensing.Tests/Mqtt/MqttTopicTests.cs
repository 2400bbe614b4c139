using NUnit.Framework;
using Sensing.Mqtt;
using static Sensing.Tests.Mqtt.MqttTestSupport;

namespace Sensing.Tests.Mqtt;

public sealed class MqttTopicTests
{
    // 4.7.1.2 / 4.7.1.3 non-normative examples.
    [TestCase("sport/tennis/player1/#", true)]
    [TestCase("sport/#", true)]
    [TestCase("#", true)]
    [TestCase("+", true)]
    [TestCase("+/tennis/#", true)]
    [TestCase("sport/+/player1", true)]
    [TestCase("/+", true)]
    [TestCase("$share/group/a/+", true)]
    [TestCase("sport/tennis#", false)]
    [TestCase("sport/tennis/#/ranking", false)]
    [TestCase("sport+", false)]
    [TestCase("", false)]
    [TestCase("$share//a", false)]
    [TestCase("$share/g+/a", false)]
    [TestCase("$share/group", false)]
    [TestCase("$share/group/", false)]
    public void IsValidFilter_SpecExamples_Expected(string filter, bool valid)
        => Assert.That(MqttTopic.IsValidFilter(Utf8(filter)), Is.EqualTo(valid));

    [TestCase("sport/#", "sport", true)]
    [TestCase("sport/#", "sport/tennis/player1", true)]
    [TestCase("sport/tennis/+", "sport/tennis/player1", true)]
    [TestCase("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [TestCase("sport/+", "sport", false)]
    [TestCase("sport/+", "sport/", true)]
    [TestCase("+/+", "/finance", true)]
    [TestCase("/+", "/finance", true)]
    [TestCase("+", "/finance", false)]
    [TestCase("#", "$SYS/broker", false)]
    [TestCase("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [TestCase("$SYS/#", "$SYS/monitor/Clients", true)]
    [TestCase("a/b", "a/b", true)]
    [TestCase("a/b", "a/b/c", false)]
    [TestCase("a/b/c", "a/b", false)]
    public void Matches_SpecExamples_Expected(string filter, string topic, bool matches)
        => Assert.That(MqttTopic.Matches(Utf8(filter), Utf8(topic)), Is.EqualTo(matches));

    [TestCase("a/b", true)]
    [TestCase("a/+", false)]
    [TestCase("#", false)]
    [TestCase("", false)]
    public void IsValidName_Examples_Expected(string topic, bool valid)
        => Assert.That(MqttTopic.IsValidName(Utf8(topic)), Is.EqualTo(valid));

    [Test]
    public void IsValid_Utf8Rules_NullAndSurrogatesRejected()
    {
        Assert.That(MqttUtf8.IsValid("zähler"u8), Is.True);
        Assert.That(MqttUtf8.IsValid([0x61, 0x00]), Is.False);
        Assert.That(MqttUtf8.IsValid([0xC0, 0x80]), Is.False, "overlong U+0000");
        Assert.That(MqttUtf8.IsValid([0xED, 0xA0, 0x80]), Is.False, "U+D800");
        Assert.That(MqttUtf8.IsValid([0xEF, 0xBB, 0xBF]), Is.True, "U+FEFF is allowed and not stripped (1.5.4 [MQTT-1.5.4-3])");
    }
}
