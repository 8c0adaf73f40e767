/**
 * AusweisApp2 (Debian 1.26.2) as a headless eID-Client for interop tests:
 * its own HOME / XDG directories in a temp dir, a settings file that turns
 * pre-verification off (so it accepts our CVCA), the WebSocket SDK on
 * 127.0.0.1:PORT (docs/sdk/desktop.rst: ws://127.0.0.1:PORT/eID-Kernel).
 * Its log (stderr, and with `logFile` the log file in the temp HOME) is kept
 * for the test's failure messages; it carries no personal data of ours but
 * APDUs — the temp dir is removed when the app is stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../server.js';

export const AUSWEISAPP_BIN = '/usr/bin/AusweisApp2';
export const hasAusweisApp = (): boolean => existsSync(AUSWEISAPP_BIN);

/** The Debian build has an empty organisation name: Qt falls back to "Unknown Organization". */
const SETTINGS_DIR = 'Unknown Organization';

export interface AusweisAppOptions {
  readonly port?: number;
  /** Write AusweisApp's own log file into its temp HOME (default: --no-logfile). */
  readonly logFile?: boolean;
  /** Milliseconds to wait for the SDK WebSocket (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface AusweisApp {
  readonly port: number;
  /** ws://127.0.0.1:PORT/eID-Kernel */
  readonly sdkUrl: string;
  readonly dir: string;
  /** stderr/stdout of the process so far, and the log file when enabled. */
  log(): string;
  stop(): Promise<void>;
}

const MAX_LOG = 4 * 1024 * 1024;

export async function startAusweisApp(o: AusweisAppOptions = {}): Promise<AusweisApp> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-ausweisapp-'));
  const home = join(dir, 'home');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    TMPDIR: join(dir, 'tmp'),
    QT_QPA_PLATFORM: 'offscreen',
  };
  for (const d of [
    env.XDG_CONFIG_HOME,
    env.XDG_DATA_HOME,
    env.XDG_CACHE_HOME,
    env.XDG_RUNTIME_DIR,
    env.TMPDIR,
  ]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  mkdirSync(join(env.XDG_CONFIG_HOME, SETTINGS_DIR), { recursive: true });
  // Without this EAC1 ends with "Pre-verification failed" (invalidCertificatePath): our CVCA is not built in.
  writeFileSync(
    join(env.XDG_CONFIG_HOME, SETTINGS_DIR, 'AusweisApp2.conf'),
    '[preverification]\nenabled=false\n',
  );

  const port = o.port ?? (await freePort());
  const args = ['--ui', 'websocket', '--port', String(port), '--address', '127.0.0.1', '--no-proxy'];
  args.push(...(o.logFile ? ['--keep'] : ['--no-logfile']));
  const child: ChildProcess = spawn(AUSWEISAPP_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (b: Buffer) => {
    if (out.length < MAX_LOG) out += b.toString('utf8');
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  const log = () => {
    let files = '';
    if (o.logFile) {
      for (const f of findLogFiles(dir)) files += `\n--- ${f}\n${readFileSync(f, 'utf8')}`;
    }
    return out + files;
  };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
  };
  const sdkUrl = `ws://127.0.0.1:${port}/eID-Kernel`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`AusweisApp2 exited at start-up:\n${log()}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`AusweisApp2 did not open its SDK WebSocket on ${port}:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    sdkUrl,
    dir,
    log,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function findLogFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.log$/.test(e.name)) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * True when the app's local HTTP server accepts TCP connections. (Not a
 * WebSocket probe: the SDK serves one client at a time, and a probe still
 * closing would make the real connection's upgrade fail.)
 */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
