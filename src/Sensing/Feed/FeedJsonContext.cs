using System.Text.Json.Serialization;
using Sensing.Core.Alerts;

namespace Sensing.Feed;

/// <summary>JSON source generation for the feed's responses.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<AlertEvent>))]
[JsonSerializable(typeof(AlertDetail))]
[JsonSerializable(typeof(FeedHealth))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;
