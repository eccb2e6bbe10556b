/**
 * `npm start`: the product on its built-in demo. Makes the fake demo leak (once), starts the
 * local range server with it, and opens Chromium with the extension pointed at that server
 * and the demo key pinned. Without a display it still builds and says how to load the build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureDemoData } from './demo';

const PORT = Number(process.env.EG_DEMO_PORT ?? 8787);
const HOST = '127.0.0.1';

function hasDisplay(): boolean {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
}

function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error('The range server stopped while starting (see its output above).');
    try {
      if ((await fetch(`${url}/v1/manifest`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`The range server did not answer at ${url}`);
}

async function main(): Promise<void> {
  console.log('Preparing the demo leak (fake data, generated once)…');
  const demo = await ensureDemoData(resolve('.demo'));
  const url = `http://${HOST}:${PORT}`;
  const server = run(
    'npm',
    [
      'run',
      '--silent',
      'range:serve',
      '--',
      '--data',
      demo.dataDir,
      '--key',
      demo.keyFile,
      '--port',
      String(PORT),
      '--host',
      HOST,
    ],
    {},
  );
  const stopServer = () => server.kill('SIGTERM');
  process.on('SIGINT', stopServer);
  process.on('SIGTERM', stopServer);
  await waitForServer(url, server);

  const env = { WXT_DEMO_ENDPOINT: url, WXT_DEMO_PUBLIC_KEY: demo.publicKey };
  const [exposedA, exposedB] = demo.exposedNumbers;
  const banner = [
    '',
    `Demo range server: ${url} (public key ${demo.publicKey}, labelled "demo")`,
    `Try the exposed demo numbers ${exposedA} and ${exposedB}, and the clean number ${demo.cleanNumber}.`,
  ];

  if (hasDisplay()) {
    console.log(banner.join('\n'));
    console.log('Opening Chromium with Exposure Guard loaded. Press Ctrl+C to stop.\n');
    const code = await waitForExit(run('npx', ['wxt'], env));
    stopServer();
    process.exit(code);
  }

  const build = await waitForExit(run('npx', ['wxt', 'build'], env));
  const buildFirefox = await waitForExit(run('npx', ['wxt', 'build', '-b', 'firefox'], env));
  if (build !== 0 || buildFirefox !== 0) {
    stopServer();
    process.exit(1);
  }
  console.log(
    [
      ...banner,
      '',
      'No display here, so no browser was opened. The extension is built and the range server is running.',
      'Load it by hand:',
      `  Chrome/Chromium: open chrome://extensions, turn on Developer mode, "Load unpacked", choose ${resolve('.output/chrome-mv3')}`,
      `  Firefox: open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…", choose ${resolve('.output/firefox-mv3/manifest.json')}`,
      'Press Ctrl+C to stop the range server.',
    ].join('\n'),
  );
  await waitForExit(server);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
