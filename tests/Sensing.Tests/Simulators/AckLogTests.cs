using NUnit.Framework;
using Sensing.Simulators.Publishing;

namespace Sensing.Tests.Simulators;

/// <summary>The devices' record of what the gateways acknowledged, read back by the fault run's checker.</summary>
[TestFixture]
public sealed class AckLogTests
{
    [Test]
    public void Read_AfterSingleAndBatchEntries_ReturnsEveryEntryInOrder()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var log = new AckLog(path))
            {
                log.Add(7, 1UL);
                log.Add([(3, 41UL), (190_000, 4_000_000_000UL)]);
                Assert.That(log.Entries, Is.EqualTo(3));
            }

            Assert.That(AckLog.Read(path).ToList(), Is.EqualTo(new List<(int, uint)> { (7, 1u), (3, 41u), (190_000, 4_000_000_000u) }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Read_PartlyWrittenLastEntry_LeavesItOut()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var log = new AckLog(path))
            {
                log.Add(1, 2UL);
            }

            File.AppendAllText(path, "abc");
            Assert.That(AckLog.Read(path).ToList(), Is.EqualTo(new List<(int, uint)> { (1, 2u) }));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
