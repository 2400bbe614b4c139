using Sensing.LibraryBench;

// sensing-library-bench mqttnet-server PORT | sessions ... | store ... (see each command's file).
return args.Length == 0 ? Usage() : args[0] switch
{
    "mqttnet-server" => await MqttNetServerHost.RunAsync(args[1..]),
    "sessions" => await SessionsRun.RunAsync(args[1..]),
    "store" => await StoreRun.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Sensing.LibraryBench mqttnet-server PORT | sessions CLIENT TARGETS SESSIONS INTERVAL DURATION | store POINTS [ROUNDS] [OUTAGE_SECONDS] [POINTS_DURING_OUTAGE] (POINTS 0: outage only)");
    return 2;
}
