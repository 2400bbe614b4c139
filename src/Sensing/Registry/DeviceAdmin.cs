using System.Text;
using System.Text.Json;
using Sensing.Core.Devices;
using Sensing.Kafka;

namespace Sensing.Registry;

/// <summary>What a registry action did.</summary>
public enum DeviceActionOutcome
{
    /// <summary>The new entry (or tombstone) is in Kafka, and its audit record.</summary>
    Done,
    /// <summary>The entry already was as asked: nothing written.</summary>
    Unchanged,
    /// <summary>No such device.</summary>
    NotFound,
    /// <summary>The device exists already (add).</summary>
    Exists,
}

/// <summary>A registry action's outcome, the device after it, and a password the action made (rotate-secret).</summary>
public sealed record DeviceActionResult(DeviceActionOutcome Outcome, DeviceInfo? Device, string? NewPassword = null);

/// <summary>
/// Adds, changes, revokes and removes devices on <c>sensing.devices</c> for the command line and the feed's admin
/// API. Each action is checked against the registry as this process knows it, written to Kafka, applied to that
/// registry at once, and audited on <c>sensing.audit</c> (who, when, what, the device's entry before and after,
/// never a password). Actions run one at a time per instance.
/// </summary>
public sealed class DeviceAdmin(KafkaOptions kafka, DeviceRegistry registry, Action<string>? log = null) : IDisposable
{
    private readonly DeviceRegistryPublisher _publisher = new(kafka, log);
    private readonly RecordProducer _audit = new(kafka, "sensing-audit", log);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>The registry actions are checked against.</summary>
    public DeviceRegistry Registry => registry;

    /// <summary>Adds a new device; <see cref="DeviceActionOutcome.Exists"/> when its id is registered.</summary>
    public Task<DeviceActionResult> AddAsync(string id, DeviceEdit edit, string actor, CancellationToken cancellationToken)
    {
        DeviceEdit.CheckId(id);
        return ActAsync(id, "add", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.Done, edit.Create(id)), false)
            : (new DeviceActionResult(DeviceActionOutcome.Exists, current), false));
    }

    /// <summary>Changes fields of a registered device.</summary>
    public Task<DeviceActionResult> UpdateAsync(string id, DeviceEdit edit, string actor, CancellationToken cancellationToken) =>
        ActAsync(id, "update", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.NotFound, null), false)
            : (new DeviceActionResult(DeviceActionOutcome.Done, edit.ApplyTo(current)), false));

    /// <summary>Revokes a device: every gateway closes its connection and refuses it from then on.</summary>
    public Task<DeviceActionResult> RevokeAsync(string id, string actor, CancellationToken cancellationToken) =>
        ActAsync(id, "revoke", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.NotFound, null), false)
            : (new DeviceActionResult(DeviceActionOutcome.Done, current with { Revoked = true }), false));

    /// <summary>Admits a revoked device again.</summary>
    public Task<DeviceActionResult> RestoreAsync(string id, string actor, CancellationToken cancellationToken) =>
        ActAsync(id, "restore", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.NotFound, null), false)
            : (new DeviceActionResult(DeviceActionOutcome.Done, current with { Revoked = false }), false));

    /// <summary>
    /// Gives a device a new password (<paramref name="password"/>, or a random one returned once in the result); it
    /// takes effect on the device's next connect.
    /// </summary>
    public Task<DeviceActionResult> RotateSecretAsync(string id, string? password, string actor, CancellationToken cancellationToken)
    {
        var secret = password ?? DeviceEdit.NewPassword();
        return ActAsync(id, "rotate-secret", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.NotFound, null), false)
            : (new DeviceActionResult(DeviceActionOutcome.Done, new DeviceEdit(Password: secret).ApplyTo(current), secret), false));
    }

    /// <summary>Removes a device: its key is tombstoned; gateways close its connection and refuse it.</summary>
    public Task<DeviceActionResult> RemoveAsync(string id, string actor, CancellationToken cancellationToken) =>
        ActAsync(id, "remove", actor, cancellationToken, current => current is null
            ? (new DeviceActionResult(DeviceActionOutcome.NotFound, null), false)
            : (new DeviceActionResult(DeviceActionOutcome.Done, current), true));

    /// <inheritdoc />
    public void Dispose()
    {
        _publisher.Dispose();
        _audit.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task<DeviceActionResult> ActAsync(
        string id, string action, string actor, CancellationToken cancellationToken, Func<DeviceInfo?, (DeviceActionResult Result, bool Remove)> decide)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var current = registry.TryFind(id, out var found) ? found : null;
            var (result, remove) = decide(current);
            if (result.Outcome != DeviceActionOutcome.Done)
            {
                return result;
            }

            if (!remove && current is not null && current.Equals(result.Device) && result.NewPassword is null)
            {
                return result with { Outcome = DeviceActionOutcome.Unchanged };
            }

            var update = new DeviceUpdate(id, remove ? null : result.Device);
            _publisher.Publish([update], cancellationToken: cancellationToken);
            registry.Apply([update]);
            await AuditAsync(action, actor, current, remove ? null : result.Device, cancellationToken);
            log?.Invoke($"registry: {actor} {action} {id}");
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task AuditAsync(string action, string actor, DeviceInfo? before, DeviceInfo? after, CancellationToken cancellationToken)
    {
        var record = AuditRecord(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), actor, action, before, after);
        var outcome = await _audit.ProduceAndWaitAsync(kafka.Topics.Audit, Encoding.UTF8.GetBytes((before ?? after)!.Id), record, cancellationToken);
        if (!outcome.Persisted)
        {
            log?.Invoke($"registry: audit record of {actor} {action} not stored: {outcome.Error}");
        }
    }

    // {"time_ms":..,"actor":..,"action":..,"device":..,"before":..,"after":..}, written field by field (no reflection).
    private static byte[] AuditRecord(long timeMs, string actor, string action, DeviceInfo? before, DeviceInfo? after)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("time_ms", timeMs);
            json.WriteString("actor", actor);
            json.WriteString("action", action);
            json.WriteString("device", (before ?? after)?.Id);
            json.WriteString("before", before is null ? null : Describe(before));
            json.WriteString("after", after is null ? null : Describe(after));
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // The entry as the audit shows it: every field but the secret, of which only whether there is one.
    private static string Describe(DeviceInfo device) =>
        $"{device.Id},{device.Kind.Name()},{device.District},{device.ReportIntervalSeconds},{(device.HasSecret ? "secret" : "no secret")},{device.Parameters}{(device.Revoked ? ",revoked" : "")}";
}
