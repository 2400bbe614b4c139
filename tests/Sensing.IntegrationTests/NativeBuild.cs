namespace Sensing.IntegrationTests;

/// <summary>
/// The native build of <c>sensing</c> (<c>scripts/native.sh</c>), which <c>scripts/up.sh</c> runs the gateways from:
/// <c>SENSING_NATIVE</c> (set by <c>scripts/test.sh</c>), else where the script puts it in this checkout.
/// </summary>
internal static class NativeBuild
{
    /// <summary>The executable's path; fails the test, saying how to build it, when there is none.</summary>
    public static string Path
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("SENSING_NATIVE") is { Length: > 0 } set
                ? set
                : System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "../../../../../src/Sensing/bin/native/sensing"));
            Assert.That(File.Exists(path), Is.True, $"no native build of sensing at {path}: run `bash scripts/native.sh` (scripts/test.sh does)");
            return path;
        }
    }
}
