using System.Text.Json;
using Sensing.Core.Commands;
using Sensing.Kafka;

namespace Sensing.Up;

/// <summary>The commands the processors issued, as <c>sensing.commands</c> holds them, for the downlink's books.</summary>
public static class CommandTopic
{
    /// <summary>
    /// Reads every record of <paramref name="kafka"/>'s commands topic (<paramref name="expected"/> of them, the topic's
    /// size) with a group of its own; stops early when nothing arrives for <paramref name="idle"/>. A record that is not
    /// a command is left out.
    /// </summary>
    public static IReadOnlyList<(string Id, string Device, string Command)> Read(KafkaOptions kafka, long expected, TimeSpan idle)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        var commands = new List<(string Id, string Device, string Command)>();
        if (expected <= 0)
        {
            return commands;
        }

        TopicReader.Read(kafka, kafka.Topics.Commands, "sensing-up-commands", expected, idle, record =>
        {
            try
            {
                if (JsonSerializer.Deserialize(record.Value, DeviceCommandJsonContext.Default.DeviceCommand) is { } command)
                {
                    commands.Add((command.Id, command.Device, command.Command));
                }
            }
            catch (JsonException)
            {
                // Not a command: no device could act on it either.
            }
        });

        return commands;
    }
}
