using System.Buffers;
using System.Text;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Storage;
using Sensing.Storage.Aggregation;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class ActiveAlertCountsTests
{
    private const string Methane = "gas.methane-high";

    [Test]
    public void Apply_RaiseEscalateClear_CountFollowsSeverity()
    {
        var counts = new ActiveAlertCounts();
        counts.Apply(Event("a1", AlertEventType.Raised, AlertSeverity.High));
        counts.Apply(Event("a2", AlertEventType.Raised, AlertSeverity.High));
        Assert.That(counts.Count(Methane, "d01", AlertSeverity.High), Is.EqualTo(2));

        counts.Apply(Event("a1", AlertEventType.Updated, AlertSeverity.Critical));
        Assert.That(counts.Count(Methane, "d01", AlertSeverity.High), Is.EqualTo(1));
        Assert.That(counts.Count(Methane, "d01", AlertSeverity.Critical), Is.EqualTo(1));

        counts.Apply(Event("a1", AlertEventType.Cleared, AlertSeverity.Critical));
        counts.Apply(Event("a1", AlertEventType.Cleared, AlertSeverity.Critical));
        Assert.That(counts.Count(Methane, "d01", AlertSeverity.Critical), Is.Zero);
        Assert.That(counts.Active, Is.EqualTo(1));
    }

    [Test]
    public void Write_GroupFellToZero_WritesZero()
    {
        var counts = new ActiveAlertCounts();
        counts.Apply(Event("a1", AlertEventType.Raised, AlertSeverity.High));
        counts.Apply(Event("a1", AlertEventType.Cleared, AlertSeverity.High));
        var output = new ArrayBufferWriter<byte>();

        counts.Write(1000, new LineProtocolWriter(output));

        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan),
            Is.EqualTo("sensing_alerts_active,condition=gas.methane-high,district=d01,severity=High value=0i 1000\n"));
    }

    private static AlertEvent Event(string id, AlertEventType type, AlertSeverity severity) => new()
    {
        Id = id,
        Type = type,
        Source = "md-1",
        Condition = Methane,
        Severity = severity,
        District = "d01",
        RaisedAtMs = 1,
        EventTimeMs = 2,
    };
}
