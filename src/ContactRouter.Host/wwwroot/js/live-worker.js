// The browser's one connection per stream, shared by its console tabs (a SharedWorker, see api.js live()).
// Each tab's port joins streams by URL; a tab says when it leaves (pagehide) and says it is alive now and then,
// so a tab that crashed without a word stops counting after a while and its streams close.
import { LiveHub } from './live-hub.js';

const hub = new LiveHub();
// Longer than a hidden tab's throttled timers (Chrome runs them once a minute).
const silentMs = 150_000;
const ports = new Map();

function joined(port) {
  let entry = ports.get(port);
  if (!entry) ports.set(port, entry = { seen: Date.now(), streams: new Map() });
  return entry;
}

function join(port, url, names) {
  const entry = joined(port);
  if (entry.streams.has(url)) return;
  entry.streams.set(url, hub.join(url, names, {
    event: (name, data, id) => port.postMessage({ url, name, data, id }),
    state: (state, problem) => port.postMessage({ url, state, problem }),
  }));
}

function leave(port, url) {
  const entry = ports.get(port);
  if (!entry) return;
  for (const [joinedUrl, leaveStream] of entry.streams) {
    if (url !== undefined && joinedUrl !== url) continue;
    leaveStream();
    entry.streams.delete(joinedUrl);
  }
  if (entry.streams.size === 0) ports.delete(port);
}

onconnect = e => {
  const port = e.ports[0];
  port.onmessage = ({ data }) => {
    joined(port).seen = Date.now();
    if (data.join) join(port, data.join, data.names ?? []);
    else if (data.leave) leave(port, data.leave);
    else if (data.gone) leave(port);
    else if (data.alive) for (const { url, names } of data.alive) join(port, url, names);
  };
  port.start();
};

setInterval(() => {
  for (const [port, entry] of ports) if (Date.now() - entry.seen > silentMs) leave(port);
}, 30_000);
