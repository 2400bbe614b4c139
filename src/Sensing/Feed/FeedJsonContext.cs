using System.Text.Json.Serialization;
using Sensing.Core.Alerts;
using Sensing.Feed.Endpoints;

namespace Sensing.Feed;

/// <summary>JSON source generation for the feed's responses and stream entries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<AlertEvent>))]
[JsonSerializable(typeof(IReadOnlyList<AlertSummary>))]
[JsonSerializable(typeof(AlertDetail))]
[JsonSerializable(typeof(FeedEntry))]
[JsonSerializable(typeof(StreamReset))]
[JsonSerializable(typeof(FeedHealth))]
[JsonSerializable(typeof(FeedCaller))]
[JsonSerializable(typeof(ActionRequest))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(CityView))]
[JsonSerializable(typeof(IReadOnlyList<DistrictAlerts>))]
[JsonSerializable(typeof(AlarmLoad))]
[JsonSerializable(typeof(CityMapView))]
[JsonSerializable(typeof(AlertTrend))]
[JsonSerializable(typeof(OutageAcknowledgement))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;
