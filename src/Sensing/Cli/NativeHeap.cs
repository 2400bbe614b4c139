using System.Runtime.InteropServices;

namespace Sensing.Cli;

/// <summary>
/// glibc's malloc arenas for a long-running server process. glibc gives threads up to 8 arenas per core, and each
/// keeps freed memory for reuse: librdkafka's threads and the threads that hand it records then held 4-13 MB more
/// native memory in a gateway under load than with 2 arenas in two runs (bench/README.md, "Gateway memory: where it
/// goes"), for no measured gain in CPU per message. <c>MALLOC_ARENA_MAX</c>, when set, wins; on another C library nothing changes.
/// </summary>
internal static class NativeHeap
{
    /// <summary>Arenas the gateway keeps when <c>MALLOC_ARENA_MAX</c> is not set.</summary>
    public const int DefaultArenas = 2;

    private const int MArenaMax = -8; // M_ARENA_MAX, malloc.h

    /// <summary>Limits glibc to <see cref="DefaultArenas"/> arenas unless the environment chose; true when applied.</summary>
    public static bool LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }

        try
        {
            return Mallopt(MArenaMax, DefaultArenas) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (musl has no mallopt)
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mallopt(int param, int value);
}
