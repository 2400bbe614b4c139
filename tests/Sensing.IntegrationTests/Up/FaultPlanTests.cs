using Sensing.Up;

namespace Sensing.IntegrationTests.Up;

/// <summary>The fault run's plan: one fault of each kind, one after another, inside the run, repeated by its seed.</summary>
[TestFixture]
public sealed class FaultPlanTests
{
    private const long Start = 1_800_000_000_000;

    [TestCase(1, 420)]
    [TestCase(2, 720)]
    [TestCase(3, 1200)]
    public void Create_AnySeed_OneOfEachKindOneAfterAnotherInsideTheWindow(int seed, int seconds)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        var plan = FaultPlan.Create(seed, Start, duration);

        Assert.That(plan.Select(f => f.Kind), Is.EquivalentTo(Enum.GetValues<FaultKind>()));
        Assert.That(plan[0].AtMs, Is.GreaterThanOrEqualTo(Start + (long)(duration.TotalMilliseconds * FaultPlan.WindowStart)));
        for (var i = 1; i < plan.Count; i++)
        {
            var previousEnd = plan[i - 1].AtMs + (long)(plan[i - 1].Down + FaultPlan.RecoveryAllowance).TotalMilliseconds;
            Assert.That(plan[i].AtMs, Is.GreaterThanOrEqualTo(previousEnd), $"{plan[i].Kind} begins before {plan[i - 1].Kind} is over");
        }

        var last = plan[^1];
        Assert.That(last.AtMs + (long)(last.Down + FaultPlan.RecoveryAllowance).TotalMilliseconds,
            Is.LessThanOrEqualTo(Start + (long)(duration.TotalMilliseconds * FaultPlan.WindowEnd) + 1));
        Assert.That(plan.Single(f => f.Kind == FaultKind.StoreStop).Down, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(1)), "the store is down for minutes");
    }

    [Test]
    public void Create_SameSeed_SamePlan_OtherSeed_OtherPlan()
    {
        var duration = TimeSpan.FromMinutes(12);
        Assert.That(FaultPlan.Create(5, Start, duration), Is.EqualTo(FaultPlan.Create(5, Start, duration)));
        Assert.That(FaultPlan.Create(6, Start, duration), Is.Not.EqualTo(FaultPlan.Create(5, Start, duration)));
    }

    [Test]
    public void Create_RunTooShort_ThrowsNamingDuration()
    {
        var e = Assert.Throws<ArgumentException>(() => FaultPlan.Create(1, Start, TimeSpan.FromMinutes(3)));
        Assert.That(e!.Message, Does.StartWith("--duration:"));
    }
}
