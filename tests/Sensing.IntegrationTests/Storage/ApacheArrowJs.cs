using System.Diagnostics;
using System.Text.Json;

namespace Sensing.IntegrationTests.Storage;

/// <summary>An Arrow IPC stream as apache-arrow (npm, the JavaScript implementation) reads it.</summary>
/// <param name="Fields">Column names and apache-arrow's type names, e.g. <c>Timestamp&lt;MILLISECOND, UTC&gt;</c>.</param>
/// <param name="Rows">Rows as JSON: numbers (64-bit integers converted), strings, nulls; timestamps as Unix ms.</param>
public sealed record ArrowJsTable(IReadOnlyList<(string Name, string Type)> Fields, IReadOnlyList<JsonElement[]> Rows, int Batches);

/// <summary>Runs node with apache-arrow 21 from the setup's npm cache (<c>~/.cache/sensing/npm/node_modules</c>).</summary>
public static class ApacheArrowJs
{
    private const string Script = """
        const { tableFromIPC } = require('apache-arrow');
        const chunks = [];
        process.stdin.on('data', c => chunks.push(c));
        process.stdin.on('end', () => {
          const table = tableFromIPC(Buffer.concat(chunks));
          const fields = table.schema.fields.map(f => [f.name, String(f.type)]);
          const rows = [];
          for (let i = 0; i < table.numRows; i++) {
            rows.push(table.schema.fields.map(f => {
              const v = table.getChild(f.name).get(i);
              return typeof v === 'bigint' ? Number(v) : v;
            }));
          }
          process.stdout.write(JSON.stringify({ fields, rows, batches: table.batches.length }));
        });
        """;

    /// <summary>Reads <paramref name="stream"/> with <c>tableFromIPC</c>; throws with node's error text if it refuses.</summary>
    public static async Task<ArrowJsTable> ReadAsync(byte[] stream)
    {
        var modules = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache/sensing/npm/node_modules");
        var start = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(Script);
        start.Environment["NODE_PATH"] = modules;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.StandardInput.BaseStream.WriteAsync(stream);
        node.StandardInput.Close();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"apache-arrow refused the stream (exit {node.ExitCode}): {await stderr}");
        }

        using var json = JsonDocument.Parse(await stdout);
        var root = json.RootElement;
        var fields = root.GetProperty("fields").EnumerateArray().Select(f => (f[0].GetString()!, f[1].GetString()!)).ToList();
        var rows = root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList();
        return new ArrowJsTable(fields, rows, root.GetProperty("batches").GetInt32());
    }
}
