using NUnit.Framework;
using Sensing.Storage.Export;

namespace Sensing.Tests.Storage;

[TestFixture]
public sealed class ExportQueryTests
{
    [Test]
    public void Parse_UnixMillisecondsAndFilters_Kept()
    {
        var query = ExportQuery.Parse("aggregates", "1764583200000", "1764583320000", "d01", "gas-meter");

        Assert.That(query, Is.EqualTo(new ExportQuery(ExportKind.Aggregates, 1_764_583_200_000, 1_764_583_320_000, "d01", "gas-meter")));
    }

    [Test]
    public void Parse_IsoTimesWithoutOffset_TakenAsUtc()
    {
        var query = ExportQuery.Parse("alerts", "2025-12-01T10:00:00", "2025-12-01T10:02:00.5Z", "", null);

        Assert.That(query.What, Is.EqualTo(ExportKind.Alerts));
        Assert.That(query.FromMs, Is.EqualTo(1_764_583_200_000));
        Assert.That(query.ToMs, Is.EqualTo(1_764_583_320_500));
        Assert.That(query.District, Is.Null, "an empty district is no filter");
    }

    [TestCase(null, "0", "1", null, "what")]
    [TestCase("readings", "0", "1", null, "what")]
    [TestCase("alerts", null, "1", null, "from")]
    [TestCase("alerts", "yesterday", "1", null, "from")]
    [TestCase("alerts", "5", "5", null, "to")]
    [TestCase("alerts", "0", "2678400001", null, "to")]
    [TestCase("alerts", "0", "1", "toaster", "kind")]
    public void Parse_BadParameter_NamesIt(string? what, string? from, string? to, string? kind, string parameter)
    {
        var error = Assert.Throws<ArgumentException>(() => ExportQuery.Parse(what, from, to, null, kind));

        Assert.That(error!.Message, Does.StartWith(parameter + ":"));
    }
}
