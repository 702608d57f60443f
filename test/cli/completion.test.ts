/**
 * `registry completion bash|zsh|fish`, loaded in the real shells: bash sources the script and
 * its completion function is called as bash would call it; zsh completes on a pseudo-terminal
 * (zpty); fish answers `complete -C`. Service names come from a real server, and from a scripted
 * one whose names are hostile: those never reach the shell, let alone run in it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { buildProgram, type CliIo } from '../../src/cli/index.js';
import { SERVICE_ARGUMENT_COMMANDS } from '../../src/cli/internal.js';
import { CLI_ARGS } from '../helpers/cli.js';
import { requirePeer } from '../helpers/peers.js';
import { answer, type ScriptedServer, startScriptedServer, wireService } from '../helpers/scripted-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const run = promisify(execFile);

const installed = async (shell: string): Promise<boolean> =>
  run(shell, ['-c', 'exit 0']).then(
    () => true,
    () => false,
  );

/** A service record as the wire has it, with the given name. */
const record = (name: string, index: number) => wireService({ id: `00000000-0000-4000-8000-00000000000${index}`, name, revision: index });

const HOSTILE_NAMES = ['ap$(touch pwned-1)', 'ap`touch pwned-2`', 'ap;touch pwned-3', 'ap\u001b]0;owned\u0007', 'ap\nforged', 'ap*', 'ap ace'];

describe('registry completion', () => {
  let work = '';
  let srv: TestServer;
  let hostile: ScriptedServer;
  let env: Record<string, string>;
  const scripts: Record<string, string> = {};
  /** Global flags that point the CLI at the scripted server, typed on the completed line. */
  let hostileFlags = '';
  let realFlags = '';

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-completion-'));
    await chmod(work, 0o755);
    const bin = join(work, 'bin');
    await mkdir(bin);
    // `registry` on PATH, as the scripts call it: the CLI from the sources, as every test runs it.
    const command = [process.execPath, ...CLI_ARGS].map((word) => `'${word}'`).join(' ');
    await writeFile(join(bin, 'registry'), `#!/bin/sh\nexec ${command} "$@"\n`, { mode: 0o755 });
    env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: work, XDG_CONFIG_HOME: join(work, 'config') };
    srv = await startTestServer();
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    for (const name of ['api', 'apex', 'billing']) await client.register({ name, host: '10.0.0.1', port: 4444 });
    await client.close();
    hostile = await startScriptedServer({
      onRequest: (request, socket) => answer(socket, request.id, [...HOSTILE_NAMES, 'ap-ok'].map(record)),
    });
    hostileFlags = `--url ${hostile.url} --fingerprint ${hostile.fingerprint}`;
    realFlags = `--data-dir ${srv.dataDir}`;
    for (const shell of ['bash', 'zsh', 'fish']) {
      const { stdout } = await run('registry', ['completion', shell], { env, cwd: work });
      scripts[shell] = join(work, `registry.${shell}`);
      await writeFile(scripts[shell] ?? '', stdout);
    }
  });
  after(async () => {
    await hostile?.close();
    await srv?.close();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  const nothingRan = async (): Promise<void> => {
    const left = (await readdir(work)).filter((file) => file.startsWith('pwned'));
    assert.deepEqual(left, [], 'no hostile name ran');
  };

  describe('bash', () => {
    /** Sources the script and completes each line at its end, as bash fills COMP_* for a TAB. */
    const complete = async (lines: readonly string[], words: Record<string, readonly string[]> = {}): Promise<{ out: string[][]; stderr: string; loaded: string }> => {
      const body = lines
        .map((line) => {
          const split = words[line];
          const assign = split === undefined ? 'read -ra COMP_WORDS <<< "$line"; [[ $line == *" " ]] && COMP_WORDS+=("")' : `COMP_WORDS=(${split.map((w) => `'${w}'`).join(' ')})`;
          return `line='${line}'; COMP_LINE=$line; COMP_POINT=\${#line}; ${assign}; COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _registry; printf '%s\\x1f' "\${COMPREPLY[@]}"; printf '\\x1e'`;
        })
        .join('\n');
      const script = `source "$1" || exit 9\ncomplete -p registry service-registry\nprintf '\\x1d'\n${body}`;
      const { stdout, stderr } = await run('bash', ['--norc', '--noprofile', '-c', script, 'bash', scripts.bash ?? ''], { env, cwd: work });
      const [loaded = '', rest = ''] = stdout.split('\x1d');
      const answers = rest.split('\x1e').slice(0, lines.length);
      return { loaded: loaded.trimEnd(), stderr, out: answers.map((a) => a.split('\x1f').filter((w) => w !== '')) };
    };

    it('loads without errors and completes commands, subcommands, options and their values', async (t: TestContext) => {
      if (!requirePeer(t, await installed('bash'), 'bash is not installed')) return;
      const lines = ['registry ge', 'registry ip ', 'registry ip al', 'registry -o ', 'registry --ou', 'registry register api --end', 'registry set-state api st', 'registry call list_s', 'registry completion ', 'registry cert issue-client x --role w'];
      const { out, stderr, loaded } = await complete(lines);
      assert.equal(stderr, '');
      assert.equal(loaded, 'complete -F _registry registry\ncomplete -F _registry service-registry');
      assert.deepEqual(out, [['get'], ['allocate', 'release', 'list'], ['allocate'], ['table', 'json', 'yaml'], ['--output'], ['--endpoint'], ['starting', 'stopping', 'stopped'], ['list_services'], ['bash', 'zsh', 'fish'], ['write']]);
    });

    it('completes after words bash split at = and :', async (t: TestContext) => {
      if (!requirePeer(t, await installed('bash'), 'bash is not installed')) return;
      const lines = ['registry --output=ya', 'registry --url wss://h:1 ip l'];
      const { out } = await complete(lines, {
        'registry --output=ya': ['registry', '--output', '=', 'ya'],
        'registry --url wss://h:1 ip l': ['registry', '--url', 'wss', ':', '//h', ':', '1', 'ip', 'l'],
      });
      assert.deepEqual(out, [['yaml'], ['list']]);
    });

    it('completes service names from the server the line points at', async (t: TestContext) => {
      if (!requirePeer(t, await installed('bash'), 'bash is not installed')) return;
      const { out } = await complete([`registry ${realFlags} get ap`, `registry ${realFlags} env api b`, `registry ${realFlags} deployments --service bi`]);
      assert.deepEqual(out, [['apex', 'api'], ['billing'], ['billing']]);
    });

    it('keeps names of the wrong shape out even when the command itself prints them', async (t: TestContext) => {
      if (!requirePeer(t, await installed('bash'), 'bash is not installed')) return;
      const stub = join(work, 'stub');
      await mkdir(stub, { recursive: true });
      const lines = [...HOSTILE_NAMES.filter((name) => !name.includes('\n')), 'ap-stub'].map((name) => `'${name.replaceAll("'", "'\\''")}'`);
      await writeFile(join(stub, 'registry'), `#!/bin/sh\nprintf '%s\\n' ${lines.join(' ')}\n`, { mode: 0o755 });
      const { stdout, stderr } = await run(
        'bash',
        ['--norc', '--noprofile', '-c', 'source "$1"; COMP_LINE="registry get ap"; COMP_POINT=15; COMP_WORDS=(registry get ap); COMP_CWORD=2; _registry; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', scripts.bash ?? ''],
        { env: { ...env, PATH: `${stub}:${env.PATH ?? ''}` }, cwd: work },
      );
      assert.equal(stderr, '');
      assert.equal(stdout, 'ap-stub\n');
      await nothingRan();
    });

    it('keeps hostile names from the server out of the shell', async (t: TestContext) => {
      if (!requirePeer(t, await installed('bash'), 'bash is not installed')) return;
      const { out, stderr } = await complete([`registry ${hostileFlags} get ap`]);
      assert.deepEqual(out, [['ap-ok']]);
      assert.equal(stderr, '');
      await nothingRan();
    });
  });

  it('prints only names of the shape of a service name for the scripts', async () => {
    const { stdout } = await run('registry', [...hostileFlags.split(' '), '__complete', 'services'], { env, cwd: work });
    assert.equal(stdout, 'ap-ok\n');
  });

  it('completes in zsh, on a terminal, after compinit', { timeout: 60_000 }, async (t: TestContext) => {
    if (!requirePeer(t, await installed('zsh'), 'zsh is not installed (apt install zsh)')) return;
    const typed = ['registry ip al', 'registry --output=ya', `registry ${realFlags} get bil`, `registry ${hostileFlags} get ap`];
    const driver = [
      'zmodload zsh/zpty',
      "zpty z 'zsh -f -i'",
      `zpty -w z 'autoload -U compinit; compinit -u -D; source ${scripts.zsh}; bindkey -e; PS1="%% "'`,
      ...typed.map((line) => `zpty -w -n z $'${line}\\t\\C-aprint -r -- RESULT: \\C-m'`),
      "zpty -w z 'exit'",
      "out=''",
      'while zpty -r z chunk; do out+=$chunk; done',
      "print -r -- ${out//$'\\r'/}",
    ].join('\n');
    const { stdout } = await run('zsh', ['-f', '-c', driver], { env, cwd: work, timeout: 50_000 });
    const results = stdout.split('\n').filter((line) => line.startsWith('RESULT: ')).map((line) => line.slice('RESULT: '.length).trimEnd());
    assert.deepEqual(results, ['registry ip allocate', 'registry --output=yaml', `registry ${realFlags} get billing`, `registry ${hostileFlags} get ap-ok`]);
    await nothingRan();
  });

  it('completes in fish with descriptions', async (t: TestContext) => {
    if (!requirePeer(t, await installed('fish'), 'fish is not installed (apt install fish)')) return;
    const ask = async (line: string): Promise<string[]> => {
      const { stdout } = await run('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish ?? '', line], { env, cwd: work });
      return stdout.split('\n').filter((l) => l !== '');
    };
    assert.deepEqual(await ask('registry ip al'), ['allocate\tallocate an address to an owner: the next free one, or --ip; asking again answers the same address']);
    assert.deepEqual((await ask('registry -o ')).map((l) => l.split('\t')[0]), ['json', 'table', 'yaml']);
    assert.deepEqual(await ask('registry set-state api run'), ['running']);
    assert.deepEqual(await ask('service-registry set-state api run'), ['running'], 'the package-named command completes the same');
    assert.deepEqual(await ask(`registry ${realFlags} resolve ap`), ['apex', 'api']);
    assert.deepEqual(await ask(`registry ${hostileFlags} delete ap`), ['ap-ok']);
    await nothingRan();
  });

  it('names only commands that exist as those whose argument is a service', () => {
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', onShutdownSignal: () => () => undefined };
    const names = new Set(buildProgram(io, () => undefined).commands.map((command) => command.name()));
    for (const path of SERVICE_ARGUMENT_COMMANDS) assert.ok(names.has(path), `${path} is a command`);
  });

  it('refuses a shell it has no script for, as a usage error', async () => {
    await assert.rejects(run('registry', ['completion', 'powershell'], { env, cwd: work }), (error: { code?: unknown; stderr?: unknown }) => {
      assert.equal(error.code, 2);
      assert.match(String(error.stderr), /Allowed choices are bash, zsh, fish/);
      return true;
    });
  });
});
