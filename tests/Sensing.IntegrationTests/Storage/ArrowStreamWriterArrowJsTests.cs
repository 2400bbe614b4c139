using System.Text.Json;
using Sensing.Storage.Arrow;

namespace Sensing.IntegrationTests.Storage;

/// <summary>The project's Arrow IPC stream writer read by a real Arrow implementation (apache-arrow 21, npm).</summary>
[TestFixture]
public sealed class ArrowStreamWriterArrowJsTests
{
    private static readonly ArrowSchema Schema = new(
        new ArrowField("time", ArrowColumnType.TimestampMsUtc, Nullable: false),
        new ArrowField("device", ArrowColumnType.Utf8),
        new ArrowField("count", ArrowColumnType.Int64),
        new ArrowField("mean", ArrowColumnType.Float64));

    [Test]
    public async Task TableFromIpc_TwoBatchesWithNulls_RowsTypesAndValuesMatch()
    {
        using var output = new MemoryStream();
        using var batch = new ArrowBatchBuilder(Schema);
        var writer = new ArrowStreamWriter(output, Schema);
        for (var i = 0; i < 1000; i++)
        {
            if (i == 600)
            {
                await writer.WriteBatchAsync(batch);
                batch.Clear();
            }

            batch.AppendTimestampMs(0, 1_764_590_400_000 + i);
            if (i % 10 == 3)
            {
                batch.AppendNull(1);
            }
            else
            {
                batch.AppendUtf8(1, $"dév-{i}");
            }

            batch.AppendInt64(2, i * 1_000_000_007L);
            if (i % 7 == 0)
            {
                batch.AppendNull(3);
            }
            else
            {
                batch.AppendFloat64(3, i / 8.0);
            }

            batch.EndRow();
        }

        await writer.WriteBatchAsync(batch);
        await writer.WriteEndAsync();

        var table = await ApacheArrowJs.ReadAsync(output.ToArray());

        Assert.That(table.Fields, Is.EqualTo(new[]
        {
            ("time", "Timestamp<MILLISECOND, UTC>"), ("device", "Utf8"), ("count", "Int64"), ("mean", "Float64"),
        }));
        Assert.That(table.Batches, Is.EqualTo(2));
        Assert.That(table.Rows, Has.Count.EqualTo(1000));
        for (var i = 0; i < 1000; i++)
        {
            var row = table.Rows[i];
            Assert.That(row[0].GetInt64(), Is.EqualTo(1_764_590_400_000 + i));
            Assert.That(i % 10 == 3 ? row[1].ValueKind == JsonValueKind.Null : row[1].GetString() == $"dév-{i}", Is.True, $"device of row {i}");
            Assert.That(row[2].GetDouble(), Is.EqualTo(i * 1_000_000_007.0));
            Assert.That(i % 7 == 0 ? row[3].ValueKind == JsonValueKind.Null : row[3].GetDouble() == i / 8.0, Is.True, $"mean of row {i}");
        }
    }
}
