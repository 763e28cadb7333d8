import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idflow, repoRoot, type CliResult } from '../../support/cli.js';
import type { OrgSnapshot } from '../../../actions/jumpcloud/emulator/index.js';

/** The offboarding template, as the README names it (relative to the repository root). */
export const TEMPLATE = 'templates/jumpcloud-offboarding.yaml';

/** A temporary store (`IDFLOW_HOME`) and working folder for one test. */
export interface Workspace {
  /** A scratch folder (configs, org files). */
  dir: string;
  /** The store the CLI uses. */
  store: string;
  /** The environment to run the CLI with. */
  env: Record<string, string | undefined>;
}

/**
 * A fresh store for one test. JumpCloud settings the developer's shell may hold are cleared, so
 * a test never talks to a real organisation by accident.
 */
export function workspace(extraEnv: Record<string, string | undefined> = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-e2e-'));
  const store = join(dir, 'store');
  return { dir, store, env: { IDFLOW_HOME: store, JUMPCLOUD_API_KEY: undefined, JUMPCLOUD_API_URL: undefined, JUMPCLOUD_ORG_ID: undefined, ...extraEnv } };
}

/** Runs the built CLI from the repository root (where the README's commands run) with the workspace's store. */
export function cli(args: readonly string[], ws: Workspace, cwd = repoRoot): Promise<CliResult> {
  return idflow(args, { cwd, env: ws.env });
}

/** The returned data of a `--json` run, failing with the run's stderr when stdout is not JSON. */
export function returned(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON on stdout (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/** The run id a run printed (`Details: idflow runs show <id>`). */
export function runIdOf(result: CliResult): string {
  const id = /idflow runs show (\S+)/.exec(result.stderr)?.[1];
  if (id === undefined) throw new Error(`no run id in:\n${result.stderr}`);
  return id;
}

/** The sandbox organisation as `--sandbox` runs left it in the store (its state file). */
export function sandboxOrg(ws: Workspace): OrgSnapshot {
  const folder = join(ws.store, 'sandbox');
  const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
  if (files.length !== 1) throw new Error(`expected one sandbox state file in ${folder}, found ${files.join(', ') || 'none'}`);
  return (JSON.parse(readFileSync(join(folder, files[0] as string), 'utf8')) as { org: OrgSnapshot }).org;
}

/** A user of a snapshot by username. */
export function userIn(org: OrgSnapshot, username: string): OrgSnapshot['users'][number] | undefined {
  return org.users.find((u) => u.username === username);
}

/** Everything a user of a snapshot still has: group memberships, direct associations by type, SSH keys, push endpoints, state. */
export function accessOf(org: OrgSnapshot, username: string): { groups: string[]; associations: string[]; sshKeys: number; pushEndpoints: number; state: string } | undefined {
  const user = userIn(org, username);
  if (user === undefined) return undefined;
  return {
    groups: org.usergroups.filter((g) => g.members.includes(user._id)).map((g) => g.name),
    associations: org.associations.filter((a) => a.fromType === 'user' && a.fromId === user._id).map((a) => a.toType),
    sshKeys: user.ssh_keys.length,
    pushEndpoints: (org.pushEndpoints[user._id] ?? []).length,
    state: user.state,
  };
}

/** The `.eml` files the sandbox outbox holds, oldest first. */
export function outbox(ws: Workspace): string[] {
  try {
    return readdirSync(join(ws.store, 'outbox')).filter((f) => f.endsWith('.eml')).sort().map((f) => readFileSync(join(ws.store, 'outbox', f), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Writes a config file into the workspace and returns its path. */
export function writeConfig(ws: Workspace, yaml: string): string {
  const file = join(ws.dir, 'idflow.config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** The quick start command of the README's "Quick start" section: its arguments after `npx idflow`. */
export function quickStartArgs(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const line = /^npx idflow (run templates\/jumpcloud-offboarding\.yaml .*)$/m.exec(section)?.[1];
  if (line === undefined) throw new Error('the README\'s Quick start has no "npx idflow run templates/jumpcloud-offboarding.yaml …" line');
  return line.trim().split(/\s+/);
}
