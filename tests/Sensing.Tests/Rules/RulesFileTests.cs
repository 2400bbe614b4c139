using System.Reflection;
using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Detection;
using Sensing.Rules;
using Sensing.Rules.Schema;
using Sensing.Rules.Sections;

namespace Sensing.Tests.Rules;

[TestFixture]
public sealed class RulesFileTests
{
    private const string File = "rules.yaml";

    [Test]
    public void Defaults_CheckedBack_EqualDetectionOptionsDefault()
    {
        var rules = RulesFile.Parse(RulesFile.Defaults, File);

        Assert.That(OptionValues(rules.Detection), Is.EqualTo(OptionValues(DetectionOptions.Default)));
        Assert.That(rules.Detection.Overrides.IsEmpty, Is.True);
        Assert.That(rules.Settings, Has.Count.EqualTo(OptionValues(DetectionOptions.Default).Count), "every option is written");
    }

    [Test]
    public void Defaults_EveryKey_HasACommentAbove()
    {
        var lines = RulesFile.Defaults.Split('\n');

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (line.Length > 0 && !line.StartsWith('#') && !line.EndsWith("{}", StringComparison.Ordinal))
            {
                Assert.That(lines[i - 1].TrimStart(), Does.StartWith("#"), $"line {i + 1}: {lines[i]}");
            }
        }
    }

    [Test]
    public void Schema_EveryDetectionOption_HasAKey()
    {
        var keys = new List<string>();
        Collect(RuleSections.Root, "", keys);

        var options = OptionValues(DetectionOptions.Default).Keys;

        Assert.That(keys, Is.EquivalentTo(options));
    }

    [Test]
    public void RulesDoc_EverySectionAndKey_HasARow()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "Sensing.sln")))
        {
            directory = directory.Parent;
        }

        Assert.That(directory, Is.Not.Null, "repository root");
        var doc = System.IO.File.ReadAllText(Path.Combine(directory!.FullName, "docs", "rules.md"));
        var missing = new List<string>();
        CollectUndocumented(RuleSections.Root, "", doc, missing);

        Assert.That(missing, Is.Empty, "docs/rules.md lacks these sections or keys");
    }

    [Test]
    public void Parse_EmptyFile_IsTheDefaults()
    {
        var rules = RulesFile.Parse("# nothing set\n", File);

        Assert.That(OptionValues(rules.Detection), Is.EqualTo(OptionValues(DetectionOptions.Default)));
        Assert.That(rules.Settings, Is.Empty);
    }

    [Test]
    public void Parse_KeysAndOverrides_SetThoseOptionsOnly()
    {
        var rules = RulesFile.Parse("""
            timeZone: Europe/Berlin
            methane:
              level1Lel: 20
            water:
              nightFlow:
                nightStart: 1h30m
            districts:
              d07:
                water:
                  nightFlow:
                    gamma: 0.3
            kinds:
              gas-meter:
                health:
                  lowBatteryVolts: 3.2
            devices:
              md-00042:
                methane:
                  offDelay: 2m
            """, File);

        var d = rules.Detection;
        Assert.Multiple(() =>
        {
            Assert.That(d.TimeZone.Id, Is.EqualTo("Europe/Berlin"));
            Assert.That(d.Methane, Is.EqualTo(DetectionOptions.Default.Methane with { Level1Lel = 20 }));
            Assert.That(d.Water.NightFlow.NightStart, Is.EqualTo(TimeSpan.FromMinutes(90)));
            Assert.That(d.Overrides.Districts["d07"](d).Water.NightFlow.Gamma, Is.EqualTo(0.3));
            Assert.That(d.Overrides.Districts["d07"](d).Water.NightFlow.NightStart, Is.EqualTo(TimeSpan.FromMinutes(90)), "an entry keeps what it does not set");
            Assert.That(d.Overrides.Kinds[DeviceKind.GasMeter](d).Health.LowBatteryVolts, Is.EqualTo(3.2));
            Assert.That(d.Overrides.Devices["md-00042"](d).Methane, Is.EqualTo(d.Methane with { OffDelay = TimeSpan.FromMinutes(2) }));
            Assert.That(rules.Settings, Is.EqualTo(new Dictionary<string, string>
            {
                ["timeZone"] = "Europe/Berlin",
                ["methane.level1Lel"] = "20",
                ["water.nightFlow.nightStart"] = "1h30m",
                ["districts.d07.water.nightFlow.gamma"] = "0.3",
                ["kinds.gas-meter.health.lowBatteryVolts"] = "3.2",
                ["devices.md-00042.methane.offDelay"] = "2m",
            }));
        });
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        yield return new TestCaseData("districts:\n  d07:\n    water:\n      nightFlow:\n        minRise: 0.3\n",
            "rules.yaml:5: districts.d07.water.nightFlow.minRise: unknown key (expected one of: nightStart, nightEnd, gamma, baselineDays, minNightReadings, confirmNights, deferToInletLeak)")
            .SetName("Parse_UnknownKey_NamesFileLineAndKeyPath");
        yield return new TestCaseData("districts:\n  d07:\n    water:\n      nightFlow:\n        gamma: -0.1\n",
            "rules.yaml:5: districts.d07.water.nightFlow.gamma: must be a finite number above 0, was -0.1")
            .SetName("Parse_OutOfRange_NamesKeyPathWithTheOptionsMessage");
        yield return new TestCaseData("methane:\n  level1Lel: 60\n",
            "rules.yaml: methane.level2Lel: must be above level1Lel (60) and at most 100 %LEL, was 50")
            .SetName("Parse_ClashWithADefault_NamesTheKeyTheCheckFails");
        yield return new TestCaseData("timeZone: Europe/Atlantis\n",
            "rules.yaml:1: timeZone: unknown time zone 'Europe/Atlantis': expected an IANA name such as Asia/Shanghai or Europe/Berlin, found in this machine's zone database (tzdata)")
            .SetName("Parse_BadTimeZone_NamesTimeZone");
        yield return new TestCaseData("methane:\n  level1Lel: high\n",
            "rules.yaml:2: methane.level1Lel: expected a number, was 'high'")
            .SetName("Parse_WrongType_NamesTheExpectedType");
        yield return new TestCaseData("water:\n  pipeBurst:\n    slot: 1.5h\n",
            "rules.yaml:3: water.pipeBurst.slot: expected whole numbers of a unit (1h30m, not 1.5h), was '1.5h'")
            .SetName("Parse_FractionalDuration_SaysHowToWriteIt");
        yield return new TestCaseData("methane:\n  - level1Lel\n",
            "rules.yaml:2: methane: expected a mapping of keys, was a list")
            .SetName("Parse_ListForASection_NamesTheSection");
        yield return new TestCaseData("kinds:\n  gas-meter:\n    water:\n      lowPressure:\n        minimumMpa: 0.2\n",
            "rules.yaml:3: kinds.gas-meter.water: water is not set per device kind: set it at the top level or in a districts entry")
            .SetName("Parse_WaterInAKindEntry_SaysWhereItGoes");
        yield return new TestCaseData("districts:\n  d07:\n    lifecycle:\n      chatterRaises: 4\n",
            "rules.yaml:3: districts.d07.lifecycle: lifecycle is not set per district: set it at the top level of the file")
            .SetName("Parse_LifecycleInADistrict_SaysItIsTheCitys");
        yield return new TestCaseData("kinds:\n  ev-charger:\n    methane:\n      level1Lel: 20\n",
            "rules.yaml:3: kinds.ev-charger.methane: methane applies to methane-detector devices only, not ev-charger")
            .SetName("Parse_SectionForAnotherKind_Refused");
        yield return new TestCaseData("devices:\n  gm-1:\n    health:\n      districtOfflineMinDevices: 3\n",
            "rules.yaml:4: devices.gm-1.health.districtOfflineMinDevices: districtOfflineMinDevices is not set per device: set it at the top level or in a districts entry")
            .SetName("Parse_DistrictThresholdInADeviceEntry_SaysWhereItGoes");
        yield return new TestCaseData("kinds:\n  toaster:\n    health:\n      lowBatteryVolts: 3\n",
            "rules.yaml:2: kinds.toaster: unknown device kind (expected one of: gas-meter, methane-detector, ev-charger, water-pressure, water-flow, reservoir-level, rain-gauge, smoke-alarm, electrical-fire-detector, fire-water-pressure)")
            .SetName("Parse_UnknownKind_ListsTheKinds");
        yield return new TestCaseData("districts:\n  tunnel-1:\n    methane:\n      level1Lel: 40\ndevices:\n  md-1:\n    methane:\n      level2Lel: 35\n",
            "rules.yaml:8: devices.md-1.methane.level2Lel: must be above level1Lel (40) and at most 100 %LEL, was 35 (with districts.tunnel-1)")
            .SetName("Parse_DeviceEntryClashesWithADistrictEntry_NamesBoth");
        yield return new TestCaseData("methane: {level1Lel: 20\n",
            "rules.yaml:2: not valid YAML: While parsing a flow mapping, did not find expected ',' or '}'.")
            .SetName("Parse_NotYaml_NamesTheLine");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void Parse_BadFile_FailsNamingFileKeyAndProblem(string text, string message)
    {
        Assert.That(() => RulesFile.Parse(text, File), Throws.TypeOf<RulesFileException>().With.Message.EqualTo(message));
    }

    [Test]
    public void Parse_ManyEntriesInDifferentSections_CheckedWithoutTryingEveryCombination()
    {
        // 100 district entries for water, 7 kind entries for health, 2,000 device entries for methane: 1.6 million
        // combinations, none of which sets one section twice.
        var text = new System.Text.StringBuilder("districts:\n");
        for (var d = 0; d < 100; d++)
        {
            text.Append($"  d{d:D3}:\n    water:\n      nightFlow:\n        gamma: 0.3\n");
        }

        text.Append("kinds:\n");
        foreach (var kind in DeviceKinds.All.ToArray())
        {
            text.Append($"  {kind.Name()}:\n    health:\n      offlineAfterIntervals: 4\n");
        }

        text.Append("devices:\n");
        for (var m = 0; m < 2_000; m++)
        {
            text.Append($"  md-{m:D5}:\n    methane:\n      level1Lel: 20\n");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rules = RulesFile.Parse(text.ToString(), File);
        _ = new DetectionEngine(rules.Detection, new DeviceRegistry(), new Detection.RecordingSink());

        Assert.That(rules.Detection.Overrides.Devices, Has.Count.EqualTo(2_000));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "read, checked and taken by an engine");
    }

    [Test]
    public void Load_BadFileOnDisk_MessageNamesThePathGiven()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.yaml");
        System.IO.File.WriteAllText(path, "health:\n  offlineAfterIntervals: 0\n");
        try
        {
            var error = Assert.Throws<RulesFileException>(() => RulesFile.Load(path))!;

            Assert.That(error.Message, Is.EqualTo($"{path}:2: health.offlineAfterIntervals: must be 1-1000 report intervals, was 0"));
            Assert.That((error.File, error.Line, error.Key), Is.EqualTo((path, 2, "health.offlineAfterIntervals")));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Test]
    public void Load_MissingFile_SaysItCannotBeRead()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.yaml");

        Assert.That(() => RulesFile.Load(path), Throws.TypeOf<RulesFileException>().With.Message.StartWith($"{path}: cannot be read: "));
    }

    [Test]
    public void ChangesFrom_OneKeyChangedOneAdded_ListsBoth()
    {
        var before = RulesFile.Parse("methane:\n  level1Lel: 20\n", File);
        var after = RulesFile.Parse("methane:\n  level1Lel: 22\ndistricts:\n  d07:\n    water:\n      nightFlow:\n        gamma: 0.3\n", File);

        Assert.That(after.ChangesFrom(before), Is.EqualTo(new[]
        {
            "districts.d07.water.nightFlow.gamma: (default) -> 0.3",
            "methane.level1Lel: 20 -> 22",
        }));
        Assert.That(after.Sha256, Is.Not.EqualTo(before.Sha256));
    }

    [Test]
    public void Describe_EngineLayoutRefusal_NamesTheFilesKey()
    {
        var error = new ArgumentException("Water.PipeBurst.Slot: cannot change while the engine runs", "Water.PipeBurst.Slot");

        Assert.That(RulesFile.Describe(error), Is.EqualTo("water.pipeBurst.slot: cannot change while the engine runs"));
    }

    // Every option of the options tree by its key path (camelCase property names), values as text; time zones by id.
    internal static Dictionary<string, string> OptionValues(DetectionOptions options)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(options, "", values);
        return values;
    }

    private static void Walk(object record, string path, Dictionary<string, string> values)
    {
        foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType == typeof(DetectionOverrides) || property.GetIndexParameters().Length > 0 || property.SetMethod is null)
            {
                continue;
            }

            var key = path + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var value = property.GetValue(record)!;
            switch (value)
            {
                case TimeZoneInfo zone:
                    values[key] = zone.Id;
                    break;
                case double or int or bool or TimeSpan:
                    values[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
                    break;
                case AlertResponses responses:
                    // One key per response, named as the condition (and severity) it is for.
                    foreach (var name in AlertResponses.Keys)
                    {
                        values[$"{key}.{name}"] = responses.Text(name);
                    }

                    break;
                default:
                    Walk(value, key + ".", values);
                    break;
            }
        }
    }

    // Each section is a "### `path`" heading followed by a table with a "| `key` |" row per key.
    private static void CollectUndocumented(RuleRecord record, string path, string doc, List<string> missing)
    {
        var section = path.Length == 0 ? "" : doc.Split($"### `{path}`\n") is { Length: 2 } parts ? parts[1].Split("\n### ")[0] : null;
        if (section is null)
        {
            missing.Add(path);
            return;
        }

        missing.AddRange(record.Keys.Where(k => !(path.Length == 0 ? doc : section).Contains($"| `{k.Name}` |", StringComparison.Ordinal)).Select(k => $"{path}.{k.Name}"));
        foreach (var child in record.Children)
        {
            CollectUndocumented(child.Record, path.Length == 0 ? child.Record.Name : $"{path}.{child.Record.Name}", doc, missing);
        }
    }

    private static void Collect(RuleRecord record, string path, List<string> keys)
    {
        keys.AddRange(record.Keys.Select(k => path + k.Name));
        foreach (var child in record.Children)
        {
            Collect(child.Record, path + child.Record.Name + ".", keys);
        }
    }
}
