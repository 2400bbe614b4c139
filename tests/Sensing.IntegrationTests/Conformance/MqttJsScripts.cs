namespace Sensing.IntegrationTests.Conformance;

/// <summary>MQTT.js 5 scripts; arguments: host port device password version(4|5) mode.</summary>
internal static class MqttJsScripts
{
    /// <summary>
    /// A persistent session (clean false; 5.0 session expiry 300 s). Mode "subscribe": subscribe to the downlink at
    /// QoS 1 and disconnect. Mode "receive": print the CONNACK's session present flag and the first command.
    /// </summary>
    public const string PersistentDownlink = """
        const mqtt = require('mqtt');
        const [host, port, device, password, version, mode] = process.argv.slice(2);
        const v = Number(version);
        const opts = { clientId: device, username: device, password, protocolVersion: v, clean: false, reconnectPeriod: 0, connectTimeout: 10000 };
        if (v === 5) opts.properties = { sessionExpiryInterval: 300 };
        const c = mqtt.connect(`mqtt://${host}:${port}`, opts);
        c.on('connect', (connack) => {
          console.log('connack sessionPresent=' + connack.sessionPresent);
          if (mode === 'subscribe') {
            c.subscribe(`sensing/${device}/down`, { qos: 1 }, (err, granted) => { console.log('granted ' + granted[0].qos); c.end(); });
          }
        });
        c.on('message', (topic, payload, packet) => {
          console.log('message ' + topic + ' qos=' + packet.qos + ' ' + payload.toString());
          c.end();
        });
        c.on('error', e => { console.log('error ' + e.message); process.exit(2); });
        setTimeout(() => { console.log('timeout'); process.exit(3); }, 20000).unref();
        """;

    /// <summary>
    /// Publishes readings <c>{"seq":N}</c> for N = 1..count at the given QoS: first with the topic and topic alias 1,
    /// then with an empty topic and the alias (5.0 3.3.2.3.4). Prints "done" when every publish completed.
    /// </summary>
    public const string PublishWithTopicAlias = """
        const mqtt = require('mqtt');
        const [host, port, device, password, version, count] = process.argv.slice(2);
        const c = mqtt.connect(`mqtt://${host}:${port}`, { clientId: device, username: device, password, protocolVersion: 5, reconnectPeriod: 0 });
        c.on('connect', async (connack) => {
          console.log('topicAliasMaximum=' + (connack.properties || {}).topicAliasMaximum);
          for (let seq = 1; seq <= Number(count); seq++) {
            const topic = seq === 1 ? `sensing/${device}/up` : '';
            await c.publishAsync(topic, JSON.stringify({ seq, lel: 2.5 }), { qos: 1, properties: { topicAlias: 1 } });
          }
          console.log('done');
          c.end();
        });
        c.on('error', e => { console.log('error ' + e.message); process.exit(2); });
        c.on('disconnect', p => { console.log('disconnect ' + p.reasonCode); });
        setTimeout(() => { console.log('timeout'); process.exit(3); }, 20000).unref();
        """;

    /// <summary>
    /// Connects to the URL argument 1 (ws:// or wss://), subscribes to the downlink, publishes reading
    /// <c>{"seq":N}</c> at QoS 1, prints "published", then waits for one command and prints it.
    /// </summary>
    public const string OverUrl = """
        const mqtt = require('mqtt');
        const [url, device, password, version, seq] = process.argv.slice(2);
        const c = mqtt.connect(url, { clientId: device, username: device, password, protocolVersion: Number(version), reconnectPeriod: 0 });
        c.on('connect', async () => {
          await c.subscribeAsync(`sensing/${device}/down`, { qos: 1 });
          await c.publishAsync(`sensing/${device}/up`, JSON.stringify({ seq: Number(seq), lel: 4.5 }), { qos: 1 });
          console.log('published');
        });
        c.on('message', (topic, payload) => { console.log('message ' + payload.toString()); c.end(); });
        c.on('error', e => { console.log('error ' + e.message); process.exit(2); });
        setTimeout(() => { console.log('timeout'); process.exit(3); }, 20000).unref();
        """;
}
