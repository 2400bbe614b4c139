namespace Sensing.Core.Alerts;

public sealed partial class AlertResponses
{
    // The built-in texts: one per condition in code order, each followed by its severity variants. Numbers are the
    // defaults of DOMAIN.md and docs/fire.md; 119 is the fire brigade's number in China. Computed on each read (only at
    // type initialisation), so the initialisation order of the partial files does not matter.
    private static (string Key, string Purpose, string Text)[] BuiltIn =>
    [
        ("gas.methane-high", "Methane at the first alarm level (GB/T 50493-2019: at most 25 %LEL; methane.level1Lel).",
            "Methane at {source} ({district}) at the first alarm level: {value} %LEL. Dispatch the gas emergency crew to find the leak. "
            + "Phone the site: open windows, switch nothing on or off, no flames, no phone calls at the spot; keep people away until the crew has measured."),
        ("gas.methane-high.critical", "Methane at the second alarm level (severity critical; at most 50 %LEL, methane.level2Lel).",
            "Methane at {source} ({district}) at the second alarm level: {value} %LEL, peak {peak} %LEL: risk of explosion. "
            + "Evacuate the building and keep people away; no switches, flames or phones at the spot. Dispatch the gas emergency crew now "
            + "and shut off the supply at the building's riser or meter valve. Call the fire brigade (119) if gas burns or people are trapped. "
            + "Clear only when the crew measures below the first level."),
        ("gas.meter-micro-leak", "Gas meter flow never back to zero for the micro-leak window (24 h).",
            "Gas meter {source}: flow has not returned to zero for a day ({value} m3/h): a small leak behind the meter or an appliance left on. "
            + "Phone the customer and book a leak test of the installation; close the meter's valve if it cannot be tested today."),
        ("gas.meter-rupture", "Gas meter flow near its Qmax: suspected rupture; the valve is commanded closed (gasMeter.closeValveOnRupture).",
            "Gas meter {source} ({district}): flow near the meter's maximum ({value} m3/h), suspected rupture behind the meter. {valveCommand} "
            + "Dispatch the gas emergency crew; if gas is smelt, evacuate the building. Keep the supply closed until the crew has found and repaired the leak."),
        ("gas.meter-tamper", "Gas meter tamper or magnetic interference bit.",
            "Gas meter {source}: case opened or magnetic interference: possible gas theft or a damaged meter. Send a meter inspector; "
            + "compare its volume with the customer's usual use. Do not close the valve remotely unless a leak is also reported."),
        ("gas.meter-valve-fault", "Gas meter valve fault, or still open after a close command.",
            "Gas meter {source}: valve fault, or the valve still open after a close command. If a rupture alert came first, gas may still flow: "
            + "dispatch the gas crew to close the service valve by hand now. Otherwise book a valve replacement."),
        ("gas.meter-long-use", "Gas meter in continuous use beyond the long-use window (10 h).",
            "Gas meter {source}: gas drawn without a break for many hours ({value} m3/h): an appliance left on, or someone who needs help. "
            + "Phone the customer; without an answer, send the crew to look. Close the valve only when a leak or danger is confirmed."),
        ("device.low-battery", "Battery below the device class's low level.",
            "{source}: battery low ({value} V). Book a battery change; safety devices (methane detectors, smoke alarms) first, within the week."),
        ("water.low-pressure", "Service pressure below 0.14 MPa (CJ/T 316) past the on-delay, at a sensor or across a district.",
            "Water pressure low at {source} ({district}): {value} MPa, below the 0.14 MPa service minimum (CJ/T 316). Check the district's pumping "
            + "station and pressure-reducing valves, and look for a burst; tell the customer service line. If it lasts, send water to high-rise "
            + "buildings and critical customers (hospitals) and check fire hydrant pressure."),
        ("water.pipe-burst", "District pipe burst: pressure drop and inflow rise (district source).",
            "Suspected pipe burst in district {district}: pressure fell and inflow rose. Dispatch the repair crew to where pressure fell most; "
            + "close the section's valves to isolate it; warn traffic and residents; check that fire hydrants keep their pressure."),
        ("water.night-flow-rise", "District minimum night flow up past the LeakDB rule (district source).",
            "District {district}: minimum night flow {value} m3/h, risen past its baseline: a new leak. Book an active leak survey (step test, acoustic loggers) within the week."),
        ("water.reservoir-level", "Reservoir level at a warning colour (blue, yellow, orange).",
            "Reservoir {source} at a warning level ({value} m). Watch it closely: inspect the dam and the spillway, inform the flood control office "
            + "and prepare discharge as the dispatch plan says."),
        ("water.reservoir-level.critical", "Reservoir level at or above its historical maximum (red).",
            "Reservoir {source} at or above its historical maximum ({value} m, red): dam safety at risk. Inform the flood control headquarters now; "
            + "start the emergency plan: discharge as ordered, warn and evacuate the areas downstream."),
        ("water.heavy-rain", "Rain of 50 mm or more in 24 h.",
            "Heavy rain at {source}: {value} mm in 24 h. Watch the reservoirs, underpasses and low-lying roads of {district}; put drainage crews on standby."),
        ("charger.safety-error", "Charger safety error (GroundFailure, OverCurrentFailure, HighTemperature, ...).",
            "Charger {source}: safety error. Stop it remotely (set it Unavailable) and send a technician. If smoke or heat is reported, "
            + "call the fire brigade (119) and keep people away from the car and the charger."),
        ("charger.out-of-service", "Charger Faulted or Unavailable for longer than allowed.",
            "Charger {source} out of service too long. Try a remote reset; otherwise book a technician and mark it out of service for drivers."),
        ("device.offline", "No message for k x the reporting interval, or the MQTT will fired; a district source when many are offline at once.",
            "{source} has sent nothing past its allowed silence. One device: check its battery and signal, then visit it. Many in a district at "
            + "once: check the gateways, the NB-IoT network and mains power in the area before sending anyone to the devices."),
        ("device.clock-skew", "Device event time far from ingest time.",
            "{source} reports times far from the gateway's clock: its readings land at the wrong time. Set its clock (a time command or a visit) "
            + "and check the gateway's time source."),
        ("alerts.chattering", "A source raising the same condition 3 or more times a minute; its raises are suppressed.",
            "{source} raises the same condition again and again; its raises are suppressed. Look for a device fault or a value sitting on a "
            + "threshold: repair it, or widen the deadband in the rules file; shelve it while the repair is booked."),
        ("fire.smoke-alarm", "A smoke alarm in alarm, confirmed or past the verification window (Critical).",
            "FIRE: smoke alarm {source} in {building} ({district}). Call the fire brigade (119) now: give the building, its address and the floor. "
            + "Call the building's fire control room or the occupant to evacuate; send the building's own fire team. Do not wait for a call back."),
        ("fire.smoke-alarm-fault", "A smoke alarm faulted, removed from its base, at low battery, or silent.",
            "Smoke alarm {source} in {building} cannot warn (fault, removed from its base, low battery or silent): that home has no smoke alarm now. "
            + "Tell the occupant or the property manager; have it refitted or replaced within a day."),
        ("fire.residual-current", "A circuit's residual current at its set point (GB 14287.2; severity high).",
            "Residual current at the set point on circuit {source} in {building}: {value} mA, an earth fault and a fire risk. Send the building's "
            + "electrician now to find the fault; switch the circuit off if it is not found. Tell the building's fire control room."),
        ("fire.residual-current.medium", "A circuit's residual current at the pre-alarm fraction of its set point.",
            "Residual current pre-alarm on circuit {source} in {building}: {value} mA, insulation ageing or damp. Book an insulation test of the circuit within days."),
        ("fire.circuit-temperature", "A circuit's temperature at its set point, or rising faster than allowed (GB 14287.3).",
            "Circuit {source} in {building} at {value} C, at its set point or rising fast: a cable or terminal overheating. Have the load "
            + "switched off or reduced and send an electrician now; if there is smoke, call the fire brigade (119)."),
        ("fire.circuit-maintenance", "A circuit's daily peak temperature trending up over days.",
            "Circuit {source} in {building}: its daily peak temperature has risen for days (a loose terminal or an overload). Book an electrician "
            + "within the week to tighten the terminals and check the load with a thermal camera."),
        ("fire.water-pressure-low", "Fire hydrant or sprinkler main below its code minimum (GB 50974) past the on-delay; source: the building.",
            "Fire water pressure low in {building} ({district}), below the code minimum (GB 50974): hydrants and sprinklers may not work. "
            + "Call the building's fire control room: check the main valve (left closed?), the fire pump and the water tank. Report it to the "
            + "fire brigade if it is not restored today."),
        ("water.inlet-leak", "District leak or burst from inlet flow alone (district source).",
            "District {district}: inlet flow shows a leak (demand-independent flow up {value} m3/h). Send leak detection to the district; if the rise was sudden and large, "
            + "treat it as a burst: look for water on the surface and isolate the section."),
    ];
}
