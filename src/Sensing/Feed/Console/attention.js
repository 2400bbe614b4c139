// Attention for new Critical alerts: a tone (WebAudio, generated here, no audio files) repeated every few seconds
// and a flashing banner and row until each alert is acknowledged (or shelved). The operator can mute the tone; the
// flashing stays. The page's state is on <body data-alarm="quiet|sounding|muted"> for wall screens and tests.
'use strict';

const MUTE_STORE = 'sensing.muted';
// A tone every 2.5 s: often enough to be heard across a control room, not so often it drowns speech.
const TONE_INTERVAL_MS = 2500;

const attention = {
  sounding: new Set(),
  severityOf: new Map(),
  muted: sessionStorage.getItem(MUTE_STORE) === '1',
  audio: null,
  timer: null,
  tones: 0,
};

// Browsers start an AudioContext suspended until the user has interacted with the page; every click resumes it.
function audioContext() {
  if (!attention.audio) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    attention.audio = new Context();
  }
  if (attention.audio.state === 'suspended') {
    attention.audio.resume().then(() => document.body.dataset.alarm && updateAttention(), () => {});
  }
  return attention.audio;
}

// Two short beeps, 880 Hz then 660 Hz (a falling two-tone, as fire and gas panels use), 0.18 s each.
function tone() {
  const audio = audioContext();
  attention.tones++;
  document.body.dataset.tones = String(attention.tones);
  if (!audio) {
    return;
  }
  const start = audio.currentTime + 0.01;
  [880, 660].forEach((frequency, i) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    const at = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.2);
  });
}

function attentionState() {
  if (attention.sounding.size === 0) {
    return 'quiet';
  }
  return attention.muted ? 'muted' : 'sounding';
}

function updateAttention() {
  const state = attentionState();
  document.body.dataset.alarm = state;
  const banner = document.getElementById('attention');
  const count = attention.sounding.size;
  banner.hidden = count === 0;
  // A page opened without a click (a reload with the key kept) may not play sound until one: say so.
  const blocked = !attention.muted && (!attention.audio || attention.audio.state !== 'running');
  document.getElementById('attention-text').textContent = count === 0 ? ''
    : count + ' new Critical alert' + (count === 1 ? '' : 's') + ' not acknowledged'
      + (attention.muted ? ' (tone muted)' : blocked ? ' (click anywhere to let the page sound)' : '');
  const mute = document.getElementById('mute-button');
  mute.textContent = attention.muted ? 'Unmute tone' : 'Mute tone';
  mute.setAttribute('aria-pressed', String(attention.muted));
  if (state === 'sounding' && attention.timer === null) {
    tone();
    attention.timer = setInterval(tone, TONE_INTERVAL_MS);
  } else if (state !== 'sounding' && attention.timer !== null) {
    clearInterval(attention.timer);
    attention.timer = null;
  }
  for (const row of document.querySelectorAll('#alert-rows tr')) {
    row.classList.toggle('alarm', attention.sounding.has(row.dataset.alertId));
  }
}

// Called for every live-stream entry: a Critical alert raised while the page is open, or one seen below Critical
// escalated to it, starts sounding; its acknowledgement or shelve silences it. Alerts already Critical when the page
// opened were announced on the screen open then; they show in the list, sorted first.
function noteForAttention(entry) {
  const alert = entry.alert;
  if (!alert) {
    return;
  }
  const before = attention.severityOf.get(alert.id);
  attention.severityOf.set(alert.id, alert.severity);
  const isNewCritical = alert.severity === 'Critical'
    && (entry.event.type === 'Raised' || (entry.event.type === 'Updated' && before !== undefined && before !== 'Critical'));
  if (alert.acknowledged || alert.shelved) {
    attention.sounding.delete(alert.id);
  } else if (isNewCritical && alert.state === 'active') {
    attention.sounding.add(alert.id);
  }
  updateAttention();
}

function rememberSeverities(alerts) {
  for (const alert of alerts) {
    attention.severityOf.set(alert.id, alert.severity);
  }
}

function setMuted(muted) {
  attention.muted = muted;
  sessionStorage.setItem(MUTE_STORE, muted ? '1' : '0');
  updateAttention();
}

document.getElementById('mute-button').addEventListener('click', () => setMuted(!attention.muted));
document.addEventListener('click', () => audioContext(), { capture: true });
updateAttention();
