namespace Sensing.IntegrationTests.Charts;

/// <summary>Folders of the repository the tests read (charts/), found by walking up from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string GrafanaChart => Path.Combine(Root, "charts", "grafana");

    public static string DashboardsFolder => Path.Combine(GrafanaChart, "dashboards");

    public static string SensingChart => Path.Combine(Root, "charts", "sensing");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Sensing.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("no Sensing.sln above " + AppContext.BaseDirectory);
    }
}
