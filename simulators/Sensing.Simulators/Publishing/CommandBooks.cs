namespace Sensing.Simulators.Publishing;

/// <summary>
/// The downlink's books: the commands issued (distinct ids of <c>sensing.commands</c>; a processor replaying its input
/// publishes the same id again) against what the devices recorded receiving (<see cref="CommandLog"/>). A command is
/// delivered when its device received it at least once; lost when it never did (goal 0); received again when a QoS 1
/// redelivery brought an id the device had (it acted once, so these are counted, not faults).
/// </summary>
/// <param name="Issued">Distinct command ids issued.</param>
/// <param name="Delivered">Issued commands their device received.</param>
/// <param name="Lost">Issued commands their device never received (goal 0).</param>
/// <param name="Repeated">Receptions of an id the device already had (QoS 1 redeliveries; not acted on again).</param>
/// <param name="ActedTwice">Command ids a device took as new more than once (goal 0: a device acts on a command once).</param>
/// <param name="Unissued">Command ids received that <c>sensing.commands</c> does not hold (goal 0).</param>
/// <param name="LostExamples">A few lost commands, as id (device, command).</param>
public sealed record CommandBooks(int Issued, int Delivered, int Lost, int Repeated, int ActedTwice, int Unissued, IReadOnlyList<string> LostExamples)
{
    /// <summary>Every issued command reached its device, and no device acted on one twice.</summary>
    public bool Balanced => Lost == 0 && ActedTwice == 0 && Unissued == 0;

    /// <summary>
    /// Balances <paramref name="issued"/> (every command record read from the topic, repeats included) against
    /// <paramref name="received"/> (every entry of the devices' command logs).
    /// </summary>
    public static CommandBooks Count(IEnumerable<(string Id, string Device, string Command)> issued, IEnumerable<CommandLogEntry> received)
    {
        ArgumentNullException.ThrowIfNull(issued);
        ArgumentNullException.ThrowIfNull(received);
        var commands = new Dictionary<string, (string Device, string Command)>(StringComparer.Ordinal);
        foreach (var (id, device, command) in issued)
        {
            commands.TryAdd(id, (device, command));
        }

        // Per command id (and device): how many times it was taken as new.
        var firsts = new Dictionary<(string Id, string Device), int>();
        var repeated = 0;
        foreach (var entry in received)
        {
            if (entry.Repeat)
            {
                repeated++;
            }
            else
            {
                firsts[(entry.CommandId, entry.Device)] = firsts.GetValueOrDefault((entry.CommandId, entry.Device)) + 1;
            }
        }

        var seen = firsts.Keys.Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
        var lost = commands.Where(c => !firsts.ContainsKey((c.Key, c.Value.Device))).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        return new CommandBooks(
            commands.Count, commands.Count - lost.Count, lost.Count, repeated, firsts.Count(f => f.Value > 1), seen.Count(id => !commands.ContainsKey(id)),
            [.. lost.Take(5).Select(c => $"{c.Key} ({c.Value.Device}, {c.Value.Command})")]);
    }
}
