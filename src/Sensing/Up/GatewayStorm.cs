using Sensing.Simulators.Publishing;

namespace Sensing.Up;

/// <summary>
/// The gateway lost mid-run: at <paramref name="killAtMs"/> the victim is killed (SIGKILL, no goodbye to anyone), and
/// from the fleet's counters it follows how many persistent sessions dropped and how long until every one of them was
/// connected again through another gateway.
/// </summary>
public sealed class GatewayStorm(long? killAtMs, PartProcess victim)
{
    private long _dropsBefore;
    private long _reconnectsBefore;

    /// <summary>The gateway that is killed.</summary>
    public PartProcess Victim => victim;

    /// <summary>True when the run kills a gateway.</summary>
    public bool Planned => killAtMs is not null;

    /// <summary>Wall-clock time of the kill, Unix ms; null before it (or with none planned).</summary>
    public long? KilledAtMs { get; private set; }

    /// <summary>Readings acknowledged by any gateway before the kill.</summary>
    public long AckedBeforeKill { get; private set; }

    /// <summary>Persistent sessions that dropped since the kill.</summary>
    public long Dropped { get; private set; }

    /// <summary>Of those, sessions connected again (through the other gateways).</summary>
    public long Back { get; private set; }

    /// <summary>Time from the kill until every dropped session was back; null while some are not.</summary>
    public TimeSpan? Recovery { get; private set; }

    /// <summary>Kills the victim when its time has come; afterwards follows the sessions coming back.</summary>
    public void Observe(long nowMs, PublishSnapshot fleet, PartCosts costs, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(log);
        if (killAtMs is not { } at)
        {
            return;
        }

        if (KilledAtMs is null)
        {
            if (nowMs < at)
            {
                return;
            }

            // The gateways' memory while every one of them is loaded, then the kill.
            costs.TakeGatewayMemory(fleet.Connected);
            _dropsBefore = fleet.Drops;
            _reconnectsBefore = fleet.Reconnects;
            AckedBeforeKill = fleet.Acked;
            victim.Kill();
            KilledAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            log($"killed {victim.Name} (pid {victim.Id}, SIGKILL); its devices connect again through the other gateways");
            return;
        }

        Dropped = fleet.Drops - _dropsBefore;
        Back = fleet.Reconnects - _reconnectsBefore;
        // The drops all come within a second of the kill; from then on, recovered once every dropped session is back.
        if (Dropped > 0 && Back >= Dropped && nowMs - KilledAtMs >= 3_000)
        {
            if (Recovery is null)
            {
                Recovery = TimeSpan.FromMilliseconds(nowMs - KilledAtMs.Value);
                log($"every one of the {Dropped:N0} dropped sessions is back, {Recovery.Value.TotalSeconds:0} s after the kill");
            }
        }
        else
        {
            Recovery = null;
        }
    }
}
