using System.CommandLine;
using System.Diagnostics;
using Sensing.Core.Devices;
using Sensing.Kafka;
using Sensing.Registry;
using Spectre.Console;

namespace Sensing.Cli;

/// <summary>
/// <c>sensing devices</c>: the device registry on <c>sensing.devices</c>: import a registry file, add, change,
/// revoke, restore and remove devices, rotate a password, show one. Every gateway and processor following the topic
/// sees a change within seconds.
/// </summary>
internal static class DevicesCommand
{
    // Bad lines listed before the rest are only counted.
    private const int ListedProblems = 20;

    private static readonly Option<string?> Kind = new("--kind") { Description = "Device kind (gas-meter, methane-detector, ev-charger, water-pressure, ...)" };
    private static readonly Option<string?> District = new("--district") { Description = "District the device belongs to" };
    private static readonly Option<int?> ReportSeconds = new("--report-s") { Description = "Nominal reporting interval, seconds" };
    private static readonly Option<string?> Params = new("--params") { Description = "Kind-specific parameters, name=value;name=value (empty for none)" };
    private static readonly Option<string?> Password = new("--password") { Description = "The device's MQTT password (stored as its SHA-256)" };
    private static readonly Option<string?> Secret = new("--secret-sha256") { Description = "The SHA-256 (lower-case hex) of the device's MQTT password; empty for none" };
    private static readonly Option<double?> Latitude = new("--lat") { Description = "Latitude, WGS 84 degrees (with --lon): where the device is, for the console's city map" };
    private static readonly Option<double?> Longitude = new("--lon") { Description = "Longitude, WGS 84 degrees (with --lat)" };
    private static readonly Option<string> Actor = new("--actor")
    {
        Description = "Who makes the change, for the audit on sensing.audit",
        DefaultValueFactory = _ => Environment.UserName,
    };

    public static Command Create()
    {
        var command = new Command("devices", "The device registry on Kafka (sensing.devices): import a file, add, update, revoke, remove, rotate a password")
        {
            Import(), Add(), Update(), Simple("revoke", "Revoke a device: gateways close its connection and refuse it", (a, id, actor, ct) => a.RevokeAsync(id, actor, ct)),
            Simple("restore", "Admit a revoked device again", (a, id, actor, ct) => a.RestoreAsync(id, actor, ct)),
            Simple("remove", "Remove a device (its key is tombstoned); gateways close its connection and refuse it", (a, id, actor, ct) => a.RemoveAsync(id, actor, ct)),
            RotateSecret(), Show(),
        };
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "Registry CSV (id,kind,district,report_s,secret_sha256,params[,lat,lon])" };
        var partial = new Option<bool>("--partial") { Description = "Import the good lines even when some are bad (by default one bad line imports nothing)" };
        var command = new Command("import", "Write every device of a registry file to sensing.devices (a whole city at once)")
        {
            file, partial, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion,
        };
        command.SetAction(async (result, ct) =>
        {
            var path = result.GetValue(file)!.FullName;
            var clock = Stopwatch.StartNew();
            List<DeviceInfo> devices = [];
            var problems = 0;
            try
            {
                foreach (var line in DeviceRegistryFile.ReadLines(path))
                {
                    if (line.Device is { } device)
                    {
                        devices.Add(device);
                    }
                    else if (++problems <= ListedProblems)
                    {
                        await Console.Error.WriteLineAsync(line.Error);
                    }
                }
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync("sensing devices import: " + e.Message);
                return 2;
            }

            var duplicates = devices.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            foreach (var id in duplicates.Take(ListedProblems))
            {
                await Console.Error.WriteLineAsync($"{path}: device '{id}' is listed more than once (the last line would win)");
            }

            if (problems > ListedProblems)
            {
                await Console.Error.WriteLineAsync($"... and {problems - ListedProblems:N0} more bad lines");
            }

            if ((problems > 0 || duplicates.Count > 0) && !result.GetValue(partial))
            {
                await Console.Error.WriteLineAsync($"sensing devices import: {problems:N0} bad lines, {duplicates.Count:N0} repeated ids in {path}: nothing imported (--partial imports the good lines)");
                return 1;
            }

            var kafka = CommonOptions.KafkaFrom(result);
            using var publisher = new DeviceRegistryPublisher(kafka, m => Console.Error.WriteLine(m));
            long written = 0;
            var updates = devices.Select(d => new DeviceUpdate(d.Id, d)).ToList();
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            var work = Task.Run(() => publisher.Publish(updates, n => Interlocked.Exchange(ref written, n), ct), ct);
            try
            {
                await LiveStatus.ShowWhileAsync(console, work, $"importing {updates.Count:N0} devices",
                    () => $"import: {Interlocked.Read(ref written):N0} of {updates.Count:N0} devices in Kafka ({clock.Elapsed.TotalSeconds:0} s)");
            }
            catch (Confluent.Kafka.KafkaException e)
            {
                await Console.Error.WriteLineAsync($"sensing devices import: {e.Error.Reason}; {Interlocked.Read(ref written):N0} devices were written before it");
                return 1;
            }

            var seconds = clock.Elapsed.TotalSeconds;
            Console.Out.WriteLine($"imported {updates.Count:N0} devices from {path} into {kafka.Topics.Devices} in {seconds:0.0} s ({updates.Count / Math.Max(seconds, 0.001):N0} devices/s)"
                + (problems > 0 ? $"; {problems:N0} bad lines left out" : ""));
            return 0;
        });
        return command;
    }

    private static Command Add()
    {
        var id = new Argument<string>("ID") { Description = "Device id" };
        var command = new Command("add", "Add a device (--kind, --district and --report-s are required)")
        {
            id, Kind, District, ReportSeconds, Params, Password, Secret, Latitude, Longitude, Actor, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion,
        };
        command.SetAction((result, ct) => RunAsync(result, (admin, actor) => admin.AddAsync(result.GetValue(id)!, EditFrom(result), actor, ct)));
        return command;
    }

    private static Command Update()
    {
        var id = new Argument<string>("ID") { Description = "Device id" };
        var command = new Command("update", "Change a device's fields (those given; a new --district moves it)")
        {
            id, Kind, District, ReportSeconds, Params, Password, Secret, Latitude, Longitude, Actor, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion,
        };
        command.SetAction((result, ct) => RunAsync(result, (admin, actor) => admin.UpdateAsync(result.GetValue(id)!, EditFrom(result), actor, ct)));
        return command;
    }

    private static Command RotateSecret()
    {
        var id = new Argument<string>("ID") { Description = "Device id" };
        var command = new Command("rotate-secret", "Give a device a new password (--password, or a random one printed once); it takes effect on its next connect")
        {
            id, Password, Actor, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion,
        };
        command.SetAction((result, ct) => RunAsync(result, (admin, actor) => admin.RotateSecretAsync(result.GetValue(id)!, result.GetValue(Password), actor, ct)));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "Device id" };
        var command = new Command("show", "Print a device's entry (id,kind,district,report_s,secret,params,state; never the secret), or exit 1 when it is not registered")
        {
            id, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion,
        };
        command.SetAction(result =>
        {
            var registry = new DeviceRegistry();
            DeviceRegistryTopic.Load(CommonOptions.KafkaFrom(result), registry, RegistrySource.LoadTimeout, m => Console.Error.WriteLine(m));
            if (!registry.TryFind(result.GetValue(id)!, out var device))
            {
                Console.Error.WriteLine($"sensing devices show: '{result.GetValue(id)}' is not registered");
                return 1;
            }

            Console.Out.WriteLine(string.Join(',', device.Id, device.Kind.Name(), device.District, device.ReportIntervalSeconds,
                device.HasSecret ? "(secret set)" : "(no secret)", device.Parameters, device.Revoked ? "revoked" : "active",
                device.HasLocation ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{device.Latitude} {device.Longitude}") : "(no coordinates)"));
            return 0;
        });
        return command;
    }

    private static Command Simple(string name, string description, Func<DeviceAdmin, string, string, CancellationToken, Task<DeviceActionResult>> act)
    {
        var id = new Argument<string>("ID") { Description = "Device id" };
        var command = new Command(name, description) { id, Actor, CommonOptions.Kafka, CommonOptions.KafkaLegacyVersion };
        command.SetAction((result, ct) => RunAsync(result, (admin, actor) => act(admin, result.GetValue(id)!, actor, ct)));
        return command;
    }

    private static DeviceEdit EditFrom(ParseResult result) => new(
        result.GetValue(Kind), result.GetValue(District), result.GetValue(ReportSeconds), result.GetValue(Params), result.GetValue(Password), result.GetValue(Secret))
    {
        Latitude = result.GetValue(Latitude),
        Longitude = result.GetValue(Longitude),
    };

    // Reads the registry as it is now (one pass over the topic), then makes the change against it.
    private static async Task<int> RunAsync(ParseResult result, Func<DeviceAdmin, string, Task<DeviceActionResult>> act)
    {
        var name = "sensing devices " + result.CommandResult.Command.Name;
        try
        {
            var kafka = CommonOptions.KafkaFrom(result);
            var registry = new DeviceRegistry();
            DeviceRegistryTopic.Load(kafka, registry, RegistrySource.LoadTimeout, m => Console.Error.WriteLine(m));
            using var admin = new DeviceAdmin(kafka, registry, m => Console.Error.WriteLine(m));
            var outcome = await act(admin, result.GetValue(Actor)!);
            switch (outcome.Outcome)
            {
                case DeviceActionOutcome.NotFound:
                    await Console.Error.WriteLineAsync($"{name}: no such device");
                    return 1;
                case DeviceActionOutcome.Exists:
                    await Console.Error.WriteLineAsync($"{name}: '{outcome.Device!.Id}' is registered already (use update)");
                    return 1;
                case DeviceActionOutcome.Unchanged:
                    Console.Out.WriteLine($"{outcome.Device!.Id}: unchanged");
                    return 0;
                default:
                    Console.Out.WriteLine($"{outcome.Device!.Id}: {result.CommandResult.Command.Name} done");
                    if (outcome.NewPassword is { } password)
                    {
                        Console.Out.WriteLine($"new password (shown once): {password}");
                    }

                    return 0;
            }
        }
        catch (DeviceEditException e)
        {
            await Console.Error.WriteLineAsync($"{name}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is TimeoutException or Confluent.Kafka.KafkaException)
        {
            await Console.Error.WriteLineAsync($"{name}: Kafka: {e.Message}; nothing was changed");
            return 1;
        }
    }
}
