using System.Diagnostics;

namespace Sensing.IntegrationTests;

/// <summary>
/// Waiting for a condition itself, never for a fixed time: polls it until it holds, and fails the test naming what was
/// not seen when the deadline passes first. Give a generous deadline; it costs nothing when things are quick.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting until {what}");
            }

            await Task.Delay(250);
        }
    }
}
