/** Runs the real command-line entry points (`neid`, `neid-client`) from source, as separate processes. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTs(
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export const runNeid = (args: string[], opts?: Parameters<typeof runTs>[2]) =>
  runTs('src/cli/neid.ts', args, opts);
export const runClient = (args: string[], opts?: Parameters<typeof runTs>[2]) =>
  runTs('src/client/main.ts', args, opts);
export { ROOT };

export interface ServeProcess {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  output(): string;
  stop(): Promise<void>;
}

/** `neid-client serve ARGS --port 0` as its own process; resolves when it listens. */
export function startServe(args: string[]): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/client/main.ts', 'serve', ...args, '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let started = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/eID-Client/.exec(out);
      if (m && !started) {
        started = true;
        resolve({
          base: m[1]!,
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      if (!started) reject(new Error(`neid-client serve exited with ${code}:\n${out}`));
    });
  });
}
