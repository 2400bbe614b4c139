using Sensing.Mqtt;

namespace Sensing.Simulators.Mqtt;

/// <summary>
/// Keep alive (3.1.2.10): when nothing was sent for most of the keep-alive period, send PINGREQ; when a PINGREQ has
/// had no PINGRESP for a whole period, close (3.1.2.10: the client "SHOULD close the Network Connection").
/// </summary>
public sealed partial class DeviceMqttClient
{
    // PINGREQ after three quarters of the period without sending, so it arrives before the server's 1.5x deadline.
    private const int IdleNumerator = 3;
    private const int IdleDenominator = 4;

    private Timer? _keepAliveTimer;
    private long _keepAliveMs;
    private long _pingSentTicks;

    private void StartKeepAlive(ushort seconds)
    {
        if (seconds == 0)
        {
            return;
        }

        _keepAliveMs = seconds * 1000L;

        // Checking four times per period keeps the idle detection within a quarter period.
        var period = TimeSpan.FromMilliseconds(Math.Max(250, _keepAliveMs / 4));
        _keepAliveTimer = new Timer(static state => ((DeviceMqttClient)state!).OnKeepAliveTick(), this, period, period);
    }

    private void StopKeepAlive() => _keepAliveTimer?.Dispose();

    private void OnKeepAliveTick()
    {
        if (_closing != 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        var pingSent = Volatile.Read(ref _pingSentTicks);
        if (pingSent != 0)
        {
            if (now - pingSent > _keepAliveMs)
            {
                Close(DeviceMqttCloseReason.KeepAliveTimeout, MqttReasonCode.KeepAliveTimeout, null, notifyServer: true);
            }

            return;
        }

        if (now - Volatile.Read(ref _lastSendTicks) >= _keepAliveMs * IdleNumerator / IdleDenominator)
        {
            Volatile.Write(ref _pingSentTicks, now);
            WritePingReq();
        }
    }
}
