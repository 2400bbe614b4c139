using NUnit.Framework;
using Sensing.Core.Alerts;
using Sensing.Core.Devices;
using Sensing.Core.Telemetry;
using Sensing.Detection;
using static Sensing.Tests.Detection.WaterTestKit;

namespace Sensing.Tests.Detection;

/// <summary>
/// The pipe-burst baseline by local time of the week: a public holiday on a weekday (people keep Sunday's hours) and
/// the change to summer time are not bursts; a burst on a holiday still is.
/// </summary>
[TestFixture]
public sealed class WaterPipeBurstDayShapeTests
{
    private const string District = "shinan-1";
    private const string Inlet = "wf-10001";
    private static readonly string[] Sensors = ["wp-10001", "wp-10002"];

    private static WaterTestKit Kit(DetectionOptions? options = null)
    {
        var kit = new WaterTestKit(options);
        kit.Add(Inlet, DeviceKind.WaterFlow, District, "role=inlet");
        foreach (var id in Sensors)
        {
            kit.Add(id, DeviceKind.WaterPressure, District, "role=network");
        }

        return kit;
    }

    // Relative demand at a local hour: the same night and evening every day; a weekday's morning peak at 07:30, on a
    // Sunday-like day at 10:00, a little higher. Both peaks are steep (an hour wide): people get up by the clock.
    private static double Demand(double hour, bool sundayLike) =>
        0.55 + (0.3 * Math.Sin(2 * Math.PI * (hour - 9) / 24)) + (0.15 * Math.Exp(-Math.Pow(hour - 19.5, 2) / 2))
        + (sundayLike ? 0.3 * Math.Exp(-Math.Pow(hour - 10, 2)) : 0.25 * Math.Exp(-Math.Pow(hour - 7.5, 2)));

    /// <summary>
    /// Feeds the district every <paramref name="step"/> from <paramref name="from"/> to <paramref name="to"/> (ms after
    /// T0) with demand by local time in <paramref name="zone"/>: weekends, and the local days in <paramref name="holidays"/>,
    /// on Sunday's shape; <paramref name="burst"/> adds flow and takes pressure while it says so.
    /// </summary>
    private static void Run(WaterTestKit kit, TimeZoneInfo zone, long from, long to, long step, IReadOnlyCollection<DateOnly> holidays,
        Func<long, bool>? burst = null, int seed = 1)
    {
        var noise = new WaterSeries(seed);
        for (var t = from; t < to; t += step)
        {
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(T0 + t), zone);
            var sundayLike = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || holidays.Contains(DateOnly.FromDateTime(local.DateTime));
            var demand = Demand(local.Hour + (local.Minute / 60.0), sundayLike);
            var broken = burst?.Invoke(t) == true;
            kit.Feed(Inlet, t, Metric.WaterFlow, 100 + (400 * demand) + (8 * noise.Gaussian()) + (broken ? 70 : 0));
            foreach (var id in Sensors)
            {
                kit.Feed(id, t, Metric.Pressure, 0.40 - (0.12 * demand) + (0.004 * noise.Gaussian()) - (broken ? 0.02 : 0));
            }
        }
    }

    // T0 is Monday 2025-06-02 08:00 in the detectors' default zone (UTC+8): day 30 after it is Wednesday 2 July.
    private static readonly DateOnly Holiday = new(2025, 7, 2);

    [Test]
    public void Process_WeekdayHolidayOnSundaysHours_RaisesNothing()
    {
        var kit = Kit();

        Run(kit, DetectionOptions.Default.TimeZone, 0, 32 * Day, 5 * Minute, [Holiday]);

        Assert.That(kit.Of(AlertCondition.PipeBurst), Is.Empty, "the holiday's late morning peak is Sunday's, not a burst");
    }

    [Test]
    public void Process_BurstOnAWeekdayHoliday_Raised()
    {
        var kit = Kit();
        // 14:00 local on the holiday (06:00 UTC), for four hours.
        var burst = (30 * Day) + (6 * Hour);

        Run(kit, DetectionOptions.Default.TimeZone, 0, 32 * Day, 5 * Minute, [Holiday], t => t >= burst && t < burst + (4 * Hour));

        var raised = kit.Of(AlertCondition.PipeBurst).Where(e => e.Type == AlertEventType.Raised).ToList();
        Assert.That(raised, Has.Count.EqualTo(1));
        Assert.That(raised[0].RaisedAtMs - (T0 + burst), Is.InRange(0, Hour), "found within the hour, judged against Sunday's baseline");
    }

    [Test]
    public void Process_DemandByTheLocalClockAcrossTheStartOfSummerTime_RaisesNothing()
    {
        // Athens moves to summer time on Sunday 30 March 2025; 15-minute readings from eight weeks before (every slot of
        // the weekly baseline warm: 12 readings, two a week) to a week after.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");
        var kit = Kit(DetectionOptions.Default with { TimeZone = zone });
        var change = new DateTimeOffset(2025, 3, 30, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - T0;

        Run(kit, zone, change - (56 * Day), change + (8 * Day), 15 * Minute, []);

        Assert.That(kit.Of(AlertCondition.PipeBurst), Is.Empty, "an hour's shift of the clock is not a burst");
    }
}
