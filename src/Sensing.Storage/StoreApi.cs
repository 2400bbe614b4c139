namespace Sensing.Storage;

/// <summary>Which write API of the time-series store <see cref="StoreWriter"/> posts to.</summary>
public enum StoreApi
{
    /// <summary>VictoriaMetrics' InfluxDB-compatible endpoint: <c>POST {Url}/write?precision=ms</c>.</summary>
    VictoriaMetrics = 0,

    /// <summary>InfluxDB 1.x: <c>POST {Url}/write?db={Database}&amp;precision=ms</c>.</summary>
    InfluxV1 = 1,

    /// <summary>
    /// InfluxDB 2.x and 3.x: <c>POST {Url}/api/v2/write?org={Organization}&amp;bucket={Bucket}&amp;precision=ms</c>
    /// with <c>Authorization: Token {Token}</c>.
    /// </summary>
    InfluxV2 = 2,
}
