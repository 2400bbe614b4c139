using System.Diagnostics;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Rules;
using Sensing.Tests.Detection;

namespace Sensing.Tests.Rules;

[TestFixture]
public sealed class RulesWatcherTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private string _path = "";

    [SetUp]
    public void CreateFile()
    {
        _path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.yaml");
        Write("methane:\n  level1Lel: 25\n");
    }

    [TearDown]
    public void DeleteFile() => File.Delete(_path);

    [Test]
    public void TryTake_FileEdited_NewRulesOnceWithTheirHash()
    {
        var first = RulesFile.Load(_path);
        using var watcher = new RulesWatcher(first, Interval);

        Write("methane:\n  level1Lel: 20\n");
        var change = Next(watcher);

        Assert.That(change.Error, Is.Null);
        Assert.That(change.Rules!.Detection.Methane.Level1Lel, Is.EqualTo(20));
        Assert.That(change.Sha256, Is.EqualTo(change.Rules.Sha256).And.Not.EqualTo(first.Sha256));
        Assert.That(change.Rules.ChangesFrom(first), Is.EqualTo(new[] { "methane.level1Lel: 25 -> 20" }));
        Assert.That(NothingWithin(watcher, 10 * Interval), Is.True, "one change, reported once");
    }

    [Test]
    public void TryTake_SameBytesWrittenAgain_NoChange()
    {
        using var watcher = new RulesWatcher(RulesFile.Load(_path), Interval);

        Write("methane:\n  level1Lel: 25\n");

        Assert.That(NothingWithin(watcher, 10 * Interval), Is.True);
    }

    [Test]
    public void TryTake_BadEdit_ErrorNamingFileAndKeyOnceThenTheFixedFile()
    {
        using var watcher = new RulesWatcher(RulesFile.Load(_path), Interval);

        Write("methane:\n  level1Lel: 120\n");
        var bad = Next(watcher);
        Assert.That(bad.Rules, Is.Null);
        Assert.That(bad.Error!.Message, Is.EqualTo($"{_path}:2: methane.level1Lel: must be in (0, 100] %LEL, was 120"));
        Assert.That(NothingWithin(watcher, 10 * Interval), Is.True, "reported once");

        Write("methane:\n  level1Lel: 22\n");
        Assert.That(Next(watcher).Rules!.Detection.Methane.Level1Lel, Is.EqualTo(22));
    }

    [Test]
    public void Reload_FileChangesAnUnrelatedThreshold_ActiveAlertKeptNotRaisedAgain()
    {
        var kit = new DetectionTestKit(RulesFile.Load(_path).Detection);
        using var watcher = new RulesWatcher(RulesFile.Load(_path), Interval);
        kit.Feed(1, 0, 30);
        var raised = kit.Events.Single();

        // What the processor does between batches: take the change, apply it, read on.
        Write("methane:\n  level1Lel: 25\nhealth:\n  lowBatteryVolts: 3.1\n");
        kit.Engine.Apply(Next(watcher).Rules!.Detection);
        kit.Feed(2, 10, 30);
        kit.Feed(3, 20, 45);

        Assert.That(kit.Engine.Options.Health.LowBatteryVolts, Is.EqualTo(3.1));
        Assert.That(kit.Engine.Methane.ActiveCount, Is.EqualTo(1));
        Assert.That(kit.Events.Select(e => (e.Id, e.Type)), Is.EqualTo(new[] { (raised.Id, AlertEventType.Raised) }), "not raised again");
    }

    // As editors save: a new file renamed over the old one.
    private void Write(string text)
    {
        File.WriteAllText(_path + ".tmp", text);
        File.Move(_path + ".tmp", _path, overwrite: true);
    }

    private static RulesChange Next(RulesWatcher watcher)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (watcher.TryTake(out var change))
            {
                return change;
            }

            Thread.Sleep(5);
        }

        Assert.Fail("no change within 10 s");
        return null!;
    }

    private static bool NothingWithin(RulesWatcher watcher, TimeSpan time)
    {
        Thread.Sleep(time);
        return !watcher.TryTake(out _);
    }
}
