using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.Cli;

/// <summary>
/// Where a gateway or processor gets its devices: <c>sensing.devices</c> on Kafka, read whole at start and followed
/// while it runs (the default), or a registry file given with <c>--registry</c>, read once.
/// </summary>
internal sealed class RegistrySource : IDisposable
{
    /// <summary>How long the start-up read of the registry topic may take.</summary>
    public static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(5);

    private readonly DeviceRegistryFollower? _follower;

    private RegistrySource(DeviceRegistry registry, string description, DeviceRegistryFollower? follower)
    {
        Registry = registry;
        Description = description;
        _follower = follower;
    }

    /// <summary>The devices, kept current when they come from the topic.</summary>
    public DeviceRegistry Registry { get; }

    /// <summary>Where the devices came from and how long it took, for the start-up line.</summary>
    public string Description { get; }

    /// <summary>Opens the registry of <c>--registry</c>, or of the topic without it.</summary>
    /// <exception cref="FormatException">The registry file has a bad line (the message names it).</exception>
    /// <exception cref="TimeoutException">The topic's end was not reached in <see cref="LoadTimeout"/>.</exception>
    public static RegistrySource Open(FileInfo? file, KafkaOptions kafka, Action<string> log)
    {
        if (file is not null)
        {
            var fromFile = DeviceRegistry.Load(file.FullName);
            CollectStartGarbage();
            return new RegistrySource(fromFile, "registry file " + file.FullName, null);
        }

        var registry = new DeviceRegistry();
        var loaded = DeviceRegistryTopic.Load(kafka, registry, LoadTimeout, log);
        CollectStartGarbage();
        var follower = new DeviceRegistryFollower(kafka, registry, loaded, log);
        var bad = loaded.Bad == 0 ? "" : $", {loaded.Bad:N0} bad records skipped";
        return new RegistrySource(registry, $"{kafka.Topics.Devices} ({loaded.Records:N0} records read in {loaded.Elapsed.TotalSeconds:0.0} s{bad}; followed)", follower);
    }

    /// <summary>
    /// <see cref="Open"/> for <c>sensing COMMAND</c>, logging to standard error; null, with the problem printed as
    /// <c>sensing COMMAND: registry: ...</c>, when the registry cannot be read.
    /// </summary>
    public static RegistrySource? OpenOrExplain(string command, FileInfo? file, KafkaOptions kafka)
    {
        try
        {
            return Open(file, kafka, Console.Error.WriteLine);
        }
        catch (Exception e) when (e is FormatException or TimeoutException or Confluent.Kafka.KafkaException)
        {
            Console.Error.WriteLine($"sensing {command}: registry: " + e.Message);
            return null;
        }
    }

    // Reading the registry, from the topic or a file, leaves garbage several times its size (records, lines, their
    // fields): collected now, with the freed memory given back to the system, so a process does not carry the peak of
    // its start (a whole-city registry file left a gateway idling at 279 MB instead of about 170 MB).
    private static void CollectStartGarbage() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <inheritdoc />
    public void Dispose() => _follower?.Dispose();
}
