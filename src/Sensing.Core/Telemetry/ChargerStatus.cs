namespace Sensing.Core.Telemetry;

/// <summary>OCPP 1.6 ChargePointStatus (section 7.7 of the OCPP 1.6 spec); members are spelled as OCPP spells them.</summary>
public enum ChargerStatus : byte
{
    Available = 0, Preparing = 1, Charging = 2, SuspendedEVSE = 3, SuspendedEV = 4,
    Finishing = 5, Reserved = 6, Unavailable = 7, Faulted = 8,
}

/// <summary>OCPP 1.6 ChargePointErrorCode (section 7.6 of the OCPP 1.6 spec).</summary>
public enum ChargerError : byte
{
    NoError = 0, ConnectorLockFailure = 1, EVCommunicationError = 2, GroundFailure = 3, HighTemperature = 4,
    InternalError = 5, LocalListConflict = 6, OtherError = 7, OverCurrentFailure = 8, OverVoltage = 9,
    PowerMeterFailure = 10, PowerSwitchFailure = 11, ReaderFailure = 12, ResetFailure = 13, UnderVoltage = 14,
    WeakSignal = 15,
}
