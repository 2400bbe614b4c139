using System.Text.Json.Serialization;

namespace Sensing.Processor;

/// <summary>JSON source generation for processor records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProcessorDeadLetter))]
internal sealed partial class ProcessorJsonContext : JsonSerializerContext;
