using Spectre.Console;

namespace Sensing.Cli;

/// <summary>A status line kept current while work runs: refreshed every second on a terminal, printed every 5 s otherwise.</summary>
internal static class LiveStatus
{
    /// <summary>Shows <paramref name="line"/> (called once per refresh) until <paramref name="work"/> completes, then awaits it.</summary>
    public static async Task ShowWhileAsync(IAnsiConsole console, Task work, string starting, Func<string> line)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Status().StartAsync(starting, async ctx =>
            {
                while (!work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(1000));
                    ctx.Status(Markup.Escape(line()));
                }
            });
        }
        else
        {
            while (!work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(5000));
                console.WriteLine(line());
            }
        }

        await work;
    }
}
