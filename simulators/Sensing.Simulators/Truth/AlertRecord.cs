namespace Sensing.Simulators.Truth;

/// <summary>One alert over its life, as a backtest writes it and a scorer reads it.</summary>
/// <param name="Id">Deterministic alert id.</param>
/// <param name="Source">Device id or district name.</param>
/// <param name="Condition">Condition name, e.g. <c>water.pipe-burst</c>.</param>
/// <param name="Severity">Highest severity reached.</param>
/// <param name="RaisedAtMs">Event time raised, Unix ms.</param>
/// <param name="ClearedAtMs">Event time cleared, Unix ms; null while still active.</param>
public sealed record AlertRecord(string Id, string Source, string Condition, string Severity, long RaisedAtMs, long? ClearedAtMs);
