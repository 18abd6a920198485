// What a plugin leaves behind after its teardown (the contract checks' leak check): timers,
// intervals, sockets, servers, child processes and open files the host did not have once the
// modules were loaded. The checks load one plugin (and what it depends on) per host.

// Node's names for the handles getActiveResourcesInfo lists, as a user reads them.
const NAMES = {
  Timeout: "timer or interval (setTimeout/setInterval)",
  Immediate: "setImmediate callback",
  TCPSocketWrap: "TCP socket",
  TCPServerWrap: "TCP server",
  TCPWRAP: "TCP socket",
  PipeWrap: "pipe",
  ProcessWrap: "child process",
  FSReqCallback: "file operation in progress",
  FileHandle: "open file (fs.promises FileHandle)",
  UDPWrap: "UDP socket",
  FSEventWrap: "file watcher",
  StatWatcher: "file watcher (fs.watchFile)",
  GetAddrInfoReqWrap: "DNS lookup in progress",
};

let baseline = new Map();

function counts() {
  const found = new Map();
  for (const name of process.getActiveResourcesInfo()) found.set(name, (found.get(name) ?? 0) + 1);
  return found;
}

export function takeBaseline() {
  baseline = counts();
}

/** What is open now that was not once the modules were loaded. */
export function leaksAfterTeardown(plugin) {
  const leaks = [];
  for (const [name, count] of counts()) {
    const extra = count - (baseline.get(name) ?? 0);
    if (extra > 0) {
      leaks.push(`${extra} ${NAMES[name] ?? name} still open after teardown of '${plugin}' (Node reports ${name})`);
    }
  }
  return leaks;
}
