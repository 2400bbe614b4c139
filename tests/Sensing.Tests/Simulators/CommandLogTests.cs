using NUnit.Framework;
using Sensing.Simulators.Publishing;

namespace Sensing.Tests.Simulators;

/// <summary>The devices' record of the downlink commands they received, and the books balanced from it.</summary>
[TestFixture]
public sealed class CommandLogTests
{
    [Test]
    public void Read_AfterFirstAndRepeat_ReturnsEveryEntryInOrder()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var log = new CommandLog(path))
            {
                log.Add("cmd-1", "gm-000001", "valve-close", repeat: false);
                log.Add("cmd-1", "gm-000001", "valve-close", repeat: true);
                log.Add("cmd\t2", "gm-000002", "valve-open", repeat: false);
                Assert.That(log.Entries, Is.EqualTo(3));
            }

            Assert.That(CommandLog.Read(path).ToList(), Is.EqualTo(new List<CommandLogEntry>
            {
                new("cmd-1", "gm-000001", "valve-close", false),
                new("cmd-1", "gm-000001", "valve-close", true),
                new("cmd 2", "gm-000002", "valve-open", false),
            }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Read_WhileWriting_SeesEveryLineWrittenAndLeavesOutAPartlyWrittenOne()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var log = new CommandLog(path);
            log.Add("cmd-1", "gm-000001", "valve-close", repeat: false);
            Assert.That(CommandLog.Read(path).Select(e => e.CommandId), Is.EqualTo(new[] { "cmd-1" }), "flushed as written");

            log.Dispose();
            File.AppendAllText(path, "cmd-2\tgm-0000");
            Assert.That(CommandLog.Read(path).Select(e => e.CommandId), Is.EqualTo(new[] { "cmd-1" }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Count_ReplayedIdsAndRedeliveries_CountsEachCommandOnceAndTheRepeatsApart()
    {
        // cmd-1 published twice (a processor's replay), received twice (a QoS 1 redelivery); cmd-2 never received.
        var books = CommandBooks.Count(
            [("cmd-1", "gm-1", "valve-close"), ("cmd-1", "gm-1", "valve-close"), ("cmd-2", "gm-2", "valve-close"), ("cmd-3", "gm-3", "valve-open")],
            [new("cmd-1", "gm-1", "valve-close", false), new("cmd-1", "gm-1", "valve-close", true), new("cmd-3", "gm-3", "valve-open", false)]);

        Assert.That(books.Issued, Is.EqualTo(3));
        Assert.That(books.Delivered, Is.EqualTo(2));
        Assert.That(books.Lost, Is.EqualTo(1));
        Assert.That(books.LostExamples, Is.EqualTo(new[] { "cmd-2 (gm-2, valve-close)" }));
        Assert.That(books.Repeated, Is.EqualTo(1));
        Assert.That(books.ActedTwice, Is.Zero);
        Assert.That(books.Balanced, Is.False, "a lost command unbalances the books");
    }

    [Test]
    public void Count_EveryCommandReceived_Balances()
    {
        var books = CommandBooks.Count([("cmd-1", "gm-1", "valve-close")], [new("cmd-1", "gm-1", "valve-close", false)]);
        Assert.That((books.Issued, books.Delivered, books.Lost, books.Repeated), Is.EqualTo((1, 1, 0, 0)));
        Assert.That(books.Balanced, Is.True);
    }

    [Test]
    public void Count_NoCommands_BalancesWithNothingIssued()
    {
        var books = CommandBooks.Count([], []);
        Assert.That((books.Issued, books.Delivered, books.Lost), Is.EqualTo((0, 0, 0)));
        Assert.That(books.Balanced, Is.True);
    }

    [Test]
    public void Count_TakenAsNewTwiceOrNeverIssued_Unbalances()
    {
        // Two shards' devices each taking the same id as new (a device that forgot it had the command), and a
        // command no processor issued.
        var books = CommandBooks.Count(
            [("cmd-1", "gm-1", "valve-close")],
            [new("cmd-1", "gm-1", "valve-close", false), new("cmd-1", "gm-1", "valve-close", false), new("cmd-9", "gm-9", "valve-close", false)]);
        Assert.That(books.Lost, Is.Zero);
        Assert.That(books.ActedTwice, Is.EqualTo(1));
        Assert.That(books.Unissued, Is.EqualTo(1));
        Assert.That(books.Balanced, Is.False);
    }
}
