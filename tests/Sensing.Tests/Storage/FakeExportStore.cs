using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Web;

namespace Sensing.Tests.Storage;

/// <summary>One series the fake export store holds: labels (with <c>__name__</c>) and samples.</summary>
public sealed record FakeSeries(IReadOnlyDictionary<string, string> Labels, (long TimeMs, double Value)[] Samples);

/// <summary>
/// VictoriaMetrics' <c>/api/v1/export</c> as an in-process <see cref="HttpMessageHandler"/>: answers every request
/// with the held series that have samples in [start, end] (seconds, inclusive at both ends as the store is), one JSON
/// line per series with only those samples. The selector is not evaluated: a test holds only the series it exports.
/// </summary>
public sealed class FakeExportStore(IEnumerable<FakeSeries> series) : HttpMessageHandler
{
    private readonly List<FakeSeries> _series = [.. series];
    private readonly List<(long FromMs, long ToMs)> _requests = [];

    /// <summary>When set, every request is answered with this status and no series.</summary>
    public HttpStatusCode? FailWith { get; init; }

    /// <summary>The [start, end] of every request, in ms.</summary>
    public IReadOnlyList<(long FromMs, long ToMs)> Requests => _requests;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString(request.RequestUri!.Query);
        var from = Milliseconds(query["start"]!);
        var to = Milliseconds(query["end"]!);
        _requests.Add((from, to));
        if (FailWith is { } status)
        {
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("store says no") });
        }

        var body = new StringBuilder();
        foreach (var series in _series)
        {
            var samples = series.Samples.Where(s => s.TimeMs >= from && s.TimeMs <= to).ToArray();
            if (samples.Length > 0)
            {
                body.Append(JsonSerializer.Serialize(new
                {
                    metric = series.Labels,
                    values = samples.Select(s => s.Value),
                    timestamps = samples.Select(s => s.TimeMs),
                })).Append('\n');
            }
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToString(), Encoding.UTF8) });
    }

    private static long Milliseconds(string seconds) => (long)Math.Round(double.Parse(seconds, CultureInfo.InvariantCulture) * 1000);
}
