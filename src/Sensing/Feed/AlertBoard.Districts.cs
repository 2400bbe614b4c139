using System.Runtime.InteropServices;
using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>The board per district: active alert counts and the alerts of a district outage.</summary>
public sealed partial class AlertBoard
{
    private static readonly string OfflineCondition = AlertCondition.DeviceOffline.Name();

    /// <summary>Every district with an alert (active or not), by name, with its active alerts counted.</summary>
    public IReadOnlyList<DistrictAlerts> Districts()
    {
        lock (_gate)
        {
            var now = NowMs;
            var counts = new Dictionary<string, DistrictCounter>(StringComparer.Ordinal);
            var offline = new Dictionary<string, List<AlertSummary>>(StringComparer.Ordinal);
            foreach (var record in _alerts.Values)
            {
                if (record.Summary(now) is not { } a)
                {
                    continue;
                }

                ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, a.District, out _);
                if (a.Condition == OfflineCondition)
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(offline, a.District, out _) ??= []).Add(a);
                    c.Outages += IsOutage(a, a.District) && a.IsActive ? 1 : 0;
                }

                if (!a.IsActive)
                {
                    continue;
                }

                if (a.Shelved)
                {
                    c.Shelved++;
                    continue;
                }

                c.Count(a.Severity);
                c.Unacknowledged += a.Acknowledged ? 0 : 1;
            }

            foreach (var (district, alerts) in offline)
            {
                ref var c = ref CollectionsMarshal.GetValueRefOrNullRef(counts, district);
                if (c.Outages > 0)
                {
                    c.OutageUnacknowledged = Group(alerts, district)?.Count(a => !a.Acknowledged) ?? 0;
                }
            }

            return [.. counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.ToView(kv.Key))];
        }
    }

    /// <summary>Active, unshelved alerts whose source is a device (not a district), worst first, then the newest raise.</summary>
    public IReadOnlyList<AlertSummary> ActiveDeviceAlerts()
    {
        lock (_gate)
        {
            var now = NowMs;
            return [.. _alerts.Values.Select(r => r.Summary(now)).OfType<AlertSummary>()
                .Where(a => a is { IsActive: true, Shelved: false } && a.Source != a.District)
                .OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAtMs)];
        }
    }

    /// <summary>
    /// The alerts of <paramref name="district"/>'s outage: its district-sourced <c>device.offline</c> alerts (one per
    /// processor) and the <c>device.offline</c> alerts of their member devices, each active or not yet acknowledged.
    /// Null when the district has no such outage alert.
    /// </summary>
    internal IReadOnlyList<AlertSummary>? OutageGroup(string district)
    {
        lock (_gate)
        {
            var now = NowMs;
            return Group(_alerts.Values.Select(r => r.Summary(now)).OfType<AlertSummary>()
                .Where(a => a.District == district && a.Condition == OfflineCondition).ToList(), district);
        }
    }

    /// <summary>The outage group among <paramref name="offline"/>, the district's offline alerts; null without an outage alert.</summary>
    private static List<AlertSummary>? Group(List<AlertSummary> offline, string district)
    {
        var outages = offline.Where(a => IsOutage(a, district) && (a.IsActive || !a.Acknowledged)).ToList();
        if (outages.Count == 0)
        {
            return null;
        }

        var members = outages.SelectMany(o => o.Devices ?? []).ToHashSet(StringComparer.Ordinal);
        return [.. offline.Where(a => (a.IsActive || !a.Acknowledged) && (a.Source == district || members.Contains(a.Source)))
            .OrderBy(a => a.Id, StringComparer.Ordinal)];
    }

    private static bool IsOutage(AlertSummary a, string district) => a.Condition == OfflineCondition && a.Source == district;

    private struct DistrictCounter
    {
        public int Critical;
        public int High;
        public int Medium;
        public int Low;
        public int Unacknowledged;
        public int Shelved;
        public int Outages;
        public int OutageUnacknowledged;

        public void Count(AlertSeverity severity)
        {
            switch (severity)
            {
                case AlertSeverity.Critical: Critical++; break;
                case AlertSeverity.High: High++; break;
                case AlertSeverity.Medium: Medium++; break;
                default: Low++; break;
            }
        }

        public readonly DistrictAlerts ToView(string name) =>
            new(name, Critical, High, Medium, Low, Unacknowledged, Shelved, Outages, Outages > 0 ? OutageUnacknowledged : 0);
    }
}

/// <summary>One row of <c>GET /api/districts</c>: a district's active alerts by severity (shelved ones apart).</summary>
/// <param name="District">District name.</param>
/// <param name="Critical">Active, unshelved Critical alerts.</param>
/// <param name="High">Active, unshelved High alerts.</param>
/// <param name="Medium">Active, unshelved Medium alerts.</param>
/// <param name="Low">Active, unshelved Low alerts.</param>
/// <param name="Unacknowledged">Active, unshelved alerts not acknowledged.</param>
/// <param name="Shelved">Active alerts under a shelve.</param>
/// <param name="Outages">Active district outage alerts (<c>device.offline</c> with the district as source).</param>
/// <param name="OutageUnacknowledged">Alerts of the district's outage (<c>POST /api/districts/{district}/outage/ack</c>) not acknowledged yet.</param>
public sealed record DistrictAlerts(
    string District, int Critical, int High, int Medium, int Low, int Unacknowledged, int Shelved, int Outages, int OutageUnacknowledged);
