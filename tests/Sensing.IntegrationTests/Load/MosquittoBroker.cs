using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sensing.LocalServers;

namespace Sensing.IntegrationTests.Load;

/// <summary>A real mosquitto 2.0 broker on a free 127.0.0.1 port, anonymous, no in-flight or queue limits; killed on dispose.</summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private MosquittoBroker(Process process, DirectoryInfo directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public static async Task<MosquittoBroker> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("sensing-mosquitto-");
        var port = FreePorts.Pick();
        var config = Path.Combine(directory.FullName, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\n");
        var process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(endPoint);
                return new MosquittoBroker(process, directory, endPoint);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException("mosquitto did not listen within 10 s: " + await process.StandardError.ReadToEndAsync());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _directory.Delete(recursive: true);
    }
}
