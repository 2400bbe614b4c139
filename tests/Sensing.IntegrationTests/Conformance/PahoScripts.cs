namespace Sensing.IntegrationTests.Conformance;

/// <summary>python3-paho-mqtt 1.6 scripts; arguments: host port device password [version 4|5].</summary>
internal static class PahoScripts
{
    private const string Prelude = """
        import os, sys, time, threading
        import paho.mqtt.client as mqtt
        host, port, device, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        version = mqtt.MQTTv5 if len(sys.argv) > 5 and sys.argv[5] == "5" else mqtt.MQTTv311
        connected = threading.Event()

        # paho calls back on its network threads: one line at a time, or two lines can interleave.
        _print_lock = threading.Lock()
        _print = print
        def print(*args, **kwargs):
            with _print_lock:
                _print(*args, **kwargs)

        def client(name=None, keepalive=60):
            c = mqtt.Client(client_id=name or device, protocol=version)
            c.username_pw_set(device, password)
            c.reconnect_delay_set(60, 60)
            def on_connect(c, u, flags, rc, properties=None):
                print("connack", getattr(rc, "value", rc), flush=True)
                connected.set()
            c.on_connect = on_connect
            return c

        def connect(c, keepalive=60):
            if version == mqtt.MQTTv5:
                c.connect(host, port, keepalive, clean_start=True)
            else:
                c.connect(host, port, keepalive)

        """;

    /// <summary>Connects with a will, then the process ends without DISCONNECT (the OS closes the socket).</summary>
    public const string DieWithoutDisconnect = Prelude + """
        c = client()
        c.will_set("sensing/%s/up" % device, b"gone", qos=1)
        connect(c)
        c.loop_start()
        connected.wait(10)
        time.sleep(0.3)
        os._exit(0)
        """;

    /// <summary>Connects with keep alive 1 s and stops sending anything; prints what the gateway sent before closing.</summary>
    public const string GoSilent = Prelude + """
        c = client()
        connect(c, keepalive=1)
        c.loop_start()
        connected.wait(10)
        c.loop_stop()
        s = c.socket()
        s.setblocking(True)
        s.settimeout(15)
        start = time.time()
        data = b""
        while True:
            chunk = s.recv(64)
            if not chunk:
                break
            data += chunk
        print("closed after %.1f s: %s" % (time.time() - start, data.hex()), flush=True)
        """;

    /// <summary>Connects twice with the same identity; prints the reason the first connection was closed with.</summary>
    public const string TakeOver = Prelude + """
        gone = threading.Event()
        first = client()
        def on_disconnect(c, u, rc, properties=None):
            print("first closed", getattr(rc, "value", rc), flush=True)
            gone.set()
        first.on_disconnect = on_disconnect
        connect(first)
        first.loop_start()
        connected.wait(10)
        connected.clear()
        second = client()
        connect(second)
        second.loop_start()
        connected.wait(10)
        gone.wait(10)
        second.disconnect()
        second.loop_stop()
        first.loop_stop()
        """;

    /// <summary>Connects, publishes one QoS 1 reading and disconnects cleanly.</summary>
    public const string PublishAndDisconnect = Prelude + """
        c = client()
        connect(c)
        c.loop_start()
        connected.wait(10)
        info = c.publish("sensing/%s/up" % device, sys.argv[6], qos=1)
        info.wait_for_publish(10)
        print("published", info.is_published(), flush=True)
        c.disconnect()
        c.loop_stop()
        """;

    /// <summary>Connects with a password; prints the CONNACK code (5.0 reason code or 3.1.1 return code).</summary>
    public const string ConnectOnly = Prelude + """
        c = client()
        def on_disconnect(c, u, rc, properties=None):
            print("closed", getattr(rc, "value", rc), flush=True)
            connected.set()
        c.on_disconnect = on_disconnect
        connect(c)
        c.loop_start()
        connected.wait(10)
        time.sleep(0.5)
        c.disconnect()
        c.loop_stop()
        """;

    /// <summary>Connects and publishes argument 6 as one QoS 1 message to topic argument 7; prints how it ended.</summary>
    public const string PublishTo = Prelude + """
        done = threading.Event()
        c = client()
        def on_disconnect(c, u, rc, properties=None):
            print("closed", getattr(rc, "value", rc), flush=True)
            done.set()
        def on_publish(c, u, mid):
            print("acknowledged", flush=True)
            done.set()
        c.on_disconnect = on_disconnect
        c.on_publish = on_publish
        connect(c)
        c.loop_start()
        connected.wait(10)
        c.publish(sys.argv[7], sys.argv[6], qos=1)
        done.wait(10)
        time.sleep(0.5)
        c.loop_stop()
        """;

    /// <summary>Connects from source address argument 6; prints the CONNACK code.</summary>
    public const string ConnectFrom = Prelude + """
        c = client()
        if version == mqtt.MQTTv5:
            c.connect(host, port, 60, bind_address=sys.argv[6], clean_start=True)
        else:
            c.connect(host, port, 60, bind_address=sys.argv[6])
        c.loop_start()
        connected.wait(10)
        time.sleep(0.3)
        c.disconnect()
        c.loop_stop()
        """;

    /// <summary>
    /// Publishes QoS 1 readings seq 1, 2, ... for argument 6 seconds (at most 20 in flight) and prints "ack N" for each
    /// PUBACK, then "sent N" and disconnects.
    /// </summary>
    public const string PublishSteadily = Prelude + """
        seconds = float(sys.argv[6])
        lock = threading.Lock()
        pending = {}
        def on_publish(c, u, mid):
            with lock:
                seq = pending.pop(mid, None)
            if seq is not None:
                print("ack", seq, flush=True)
        c = client()
        c.max_inflight_messages_set(20)
        c.on_publish = on_publish
        connect(c)
        c.loop_start()
        connected.wait(10)
        seq = 0
        end = time.time() + seconds
        while time.time() < end:
            seq += 1
            with lock:
                info = c.publish("sensing/%s/up" % device, '{"seq":%d,"lel":1.5}' % seq, qos=1)
                pending[info.mid] = seq
            time.sleep(0.01)
        time.sleep(3)
        print("sent", seq, flush=True)
        c.disconnect()
        c.loop_stop()
        """;

    /// <summary>
    /// 5.0: connects with a will delayed by argument 6 seconds and a session expiry of 60 s, then the process ends
    /// without DISCONNECT.
    /// </summary>
    public const string DieWithDelayedWill = Prelude + """
        from paho.mqtt.properties import Properties
        from paho.mqtt.packettypes import PacketTypes
        c = client()
        will = Properties(PacketTypes.WILLMESSAGE)
        will.WillDelayInterval = int(sys.argv[6])
        c.will_set("sensing/%s/up" % device, b"gone", qos=1, properties=will)
        session = Properties(PacketTypes.CONNECT)
        session.SessionExpiryInterval = 60
        c.connect(host, port, 60, clean_start=True, properties=session)
        c.loop_start()
        connected.wait(10)
        time.sleep(0.3)
        os._exit(0)
        """;
}
