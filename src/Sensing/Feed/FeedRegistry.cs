using Sensing.Core.Devices;
using Sensing.Kafka;
using Sensing.Registry;

namespace Sensing.Feed;

/// <summary>
/// The feed's copy of the device registry for the admin API (<c>/api/devices</c>): read from
/// <c>sensing.devices</c> in the background once the feed runs, then followed. Until it is read,
/// <see cref="Admin"/> is null and the API answers 503; a failed read is tried again.
/// </summary>
public sealed class FeedRegistry(KafkaOptions kafka, ILogger<FeedRegistry> log) : BackgroundService
{
    private volatile DeviceAdmin? _admin;
    private volatile DeviceRegistry? _registry;
    private volatile DistrictPlaces _places = DistrictPlaces.Empty;
    private int _placesStale;

    /// <summary>Registry actions against the followed registry, or null while it is being read.</summary>
    public DeviceAdmin? Admin => _admin;

    /// <summary>
    /// Where the registry's districts are (<see cref="DistrictPlaces"/>): measured when the registry has been read and
    /// again on the first call after it changed; empty while it is being read.
    /// </summary>
    public DistrictPlaces Places
    {
        get
        {
            if (_registry is { } registry && Interlocked.Exchange(ref _placesStale, 0) == 1)
            {
                _places = DistrictPlaces.Measure(registry.Devices());
            }

            return _places;
        }
    }

    /// <summary>The registry entry of <paramref name="id"/>, or null (unknown, or the registry is being read).</summary>
    public DeviceInfo? Find(string id) => _registry is { } registry && registry.TryFind(id, out var device) ? device : null;

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromSeconds(5);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var registry = new DeviceRegistry();
                var loaded = DeviceRegistryTopic.Load(kafka, registry, TimeSpan.FromMinutes(2), m => log.LogWarning("{Message}", m));
                using var follower = new DeviceRegistryFollower(kafka, registry, loaded, m => log.LogInformation("{Message}", m));
                using var admin = new DeviceAdmin(kafka, registry, m => log.LogInformation("{Message}", m));
                registry.Changed += _ => Volatile.Write(ref _placesStale, 1);
                _places = DistrictPlaces.Measure(registry.Devices());
                _registry = registry;
                _admin = admin;
                log.LogInformation("registry: {Devices} devices read from {Topic} in {Seconds:0.0} s; /api/devices ready", registry.Active, kafka.Topics.Devices, loaded.Elapsed.TotalSeconds);
                stoppingToken.WaitHandle.WaitOne();
                _admin = null;
                _registry = null;
                return;
            }
            catch (Exception e) when (e is TimeoutException or Confluent.Kafka.KafkaException)
            {
                log.LogWarning("registry: {Topic} not read ({Problem}); trying again in {Seconds} s", kafka.Topics.Devices, e.Message, wait.TotalSeconds);
                stoppingToken.WaitHandle.WaitOne(wait);
                wait = TimeSpan.FromSeconds(Math.Min(60, wait.TotalSeconds * 2));
            }
        }
    }
}
