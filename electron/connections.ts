/**
 * Saved API connections: a JSON file in the app's data folder. Passwords are stored only
 * when the user asks for it, and then only encrypted by the `SecretBox` (Electron's
 * safeStorage, which uses the OS keychain); the file never contains a clear-text password.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../db/errors.js';
import type { ConnectionInfo, ParsedInput, PlatformInfo } from './contract.js';
import { PLATFORM_GATEWAYS, resolveGateway } from './pcrs/platforms.js';

/** Encrypts short secrets for storage at rest; main wraps Electron's safeStorage in it. */
export interface SecretBox {
  isAvailable(): boolean;
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

/** A box that can store nothing: used where no keychain exists, so passwords are never saved. */
export const NO_SECRET_BOX: SecretBox = {
  isAvailable: () => false,
  encrypt: () => {
    throw new AppError('INVALID_INPUT', 'This computer offers no encrypted storage, so the password cannot be saved.');
  },
  decrypt: () => {
    throw new AppError('AUTH', 'The saved password cannot be decrypted on this computer. Enter the password again.');
  },
};

export const DEMO_CONNECTION_ID = 'demo';

/** Everything a pull or a connection test needs, password included. */
export interface ResolvedConnection {
  id: string;
  name: string;
  baseUrl: string;
  platform: string;
  username: string;
  password: string;
  proxyUrl: string | null;
  caFile: string | null;
}

interface StoredConnection {
  id: string;
  name: string;
  platform: string;
  gatewayUrl: string | null;
  username: string;
  encryptedPassword: string | null;
  proxyUrl: string | null;
  caFile: string | null;
}

export interface DemoEndpoint {
  url: string;
  username: string;
  password: string;
}

export function listPlatforms(): PlatformInfo[] {
  const named = Object.entries(PLATFORM_GATEWAYS).map(([key, host]) => ({ key, label: key, url: `https://${host}/` }));
  return [...named, { key: 'custom', label: 'Custom gateway', url: '' }];
}

export class ConnectionStore {
  private readonly file: string;
  private readonly box: SecretBox;
  private readonly demo: () => DemoEndpoint | null;

  constructor(options: { file: string; secretBox: SecretBox; demo: () => DemoEndpoint | null }) {
    this.file = options.file;
    this.box = options.secretBox;
    this.demo = options.demo;
  }

  list(): ConnectionInfo[] {
    const saved = this.read().map((stored) => this.toInfo(stored));
    const demo = this.demo();
    if (!demo) return saved;
    const builtIn: ConnectionInfo = {
      id: DEMO_CONNECTION_ID,
      name: 'Demo (built-in simulator)',
      platform: 'custom',
      baseUrl: demo.url,
      username: demo.username,
      hasSavedPassword: true,
      proxyUrl: null,
      caFile: null,
      builtIn: true,
    };
    return [builtIn, ...saved];
  }

  save(draft: ParsedInput<'saveConnection'>): ConnectionInfo {
    if (draft.id === DEMO_CONNECTION_ID) throw new AppError('INVALID_INPUT', 'The built-in demo connection cannot be changed.');
    const baseUrl = gatewayOf(draft.platform, draft.gatewayUrl);
    const all = this.read();
    const existing = draft.id ? all.find((entry) => entry.id === draft.id) : undefined;
    if (draft.id && !existing) throw new AppError('NOT_FOUND', `Connection ${draft.id} does not exist any more. Reload the list.`);

    let encryptedPassword = existing?.encryptedPassword ?? null;
    if (!draft.savePassword || draft.password === '') encryptedPassword = null;
    else if (draft.password !== undefined) {
      if (!this.box.isAvailable()) {
        throw new AppError('INVALID_INPUT', 'This computer offers no encrypted storage, so the password cannot be saved. Untick "Save password".');
      }
      encryptedPassword = this.box.encrypt(draft.password);
    }

    const stored: StoredConnection = {
      id: existing?.id ?? randomUUID(),
      name: draft.name.trim(),
      platform: draft.platform,
      gatewayUrl: draft.platform === 'custom' ? baseUrl : null,
      username: draft.username.trim(),
      encryptedPassword,
      proxyUrl: emptyToNull(draft.proxyUrl),
      caFile: emptyToNull(draft.caFile),
    };
    const next = existing ? all.map((entry) => (entry.id === stored.id ? stored : entry)) : [...all, stored];
    this.write(next);
    return this.toInfo(stored);
  }

  delete(id: string): void {
    if (id === DEMO_CONNECTION_ID) throw new AppError('INVALID_INPUT', 'The built-in demo connection cannot be deleted.');
    const all = this.read();
    if (!all.some((entry) => entry.id === id)) throw new AppError('NOT_FOUND', `Connection ${id} does not exist.`);
    this.write(all.filter((entry) => entry.id !== id));
  }

  /**
   * Returns a connection with its password: `password` when given (typed for this run),
   * else the saved one. Throws AUTH when neither exists.
   */
  resolve(id: string, password?: string): ResolvedConnection {
    const demo = this.demo();
    if (id === DEMO_CONNECTION_ID && demo) {
      return { id, name: 'Demo', baseUrl: demo.url, platform: 'custom', username: demo.username, password: password || demo.password, proxyUrl: null, caFile: null };
    }
    const stored = this.read().find((entry) => entry.id === id);
    if (!stored) throw new AppError('NOT_FOUND', `Connection ${id} does not exist. Choose a connection on the Connections screen.`);
    let secret = password;
    if (!secret) {
      if (!stored.encryptedPassword) throw new AppError('AUTH', `No password is saved for "${stored.name}". Enter the password.`);
      secret = this.box.decrypt(stored.encryptedPassword);
    }
    return {
      id: stored.id,
      name: stored.name,
      baseUrl: gatewayOf(stored.platform, stored.gatewayUrl ?? undefined),
      platform: stored.platform,
      username: stored.username,
      password: secret,
      proxyUrl: stored.proxyUrl,
      caFile: stored.caFile,
    };
  }

  /** Resolves an unsaved draft, for "Test connection" before saving. */
  resolveDraft(draft: ParsedInput<'saveConnection'>): ResolvedConnection {
    if (!draft.password && draft.id) return { ...this.resolve(draft.id), name: draft.name, username: draft.username };
    if (!draft.password) throw new AppError('AUTH', 'Enter the password to test the connection.');
    return {
      id: draft.id ?? 'draft',
      name: draft.name,
      baseUrl: gatewayOf(draft.platform, draft.gatewayUrl),
      platform: draft.platform,
      username: draft.username,
      password: draft.password,
      proxyUrl: emptyToNull(draft.proxyUrl),
      caFile: emptyToNull(draft.caFile),
    };
  }

  private toInfo(stored: StoredConnection): ConnectionInfo {
    return {
      id: stored.id,
      name: stored.name,
      platform: stored.platform,
      baseUrl: gatewayOf(stored.platform, stored.gatewayUrl ?? undefined),
      username: stored.username,
      hasSavedPassword: stored.encryptedPassword !== null,
      proxyUrl: stored.proxyUrl,
      caFile: stored.caFile,
      builtIn: false,
    };
  }

  private read(): StoredConnection[] {
    if (!existsSync(this.file)) return [];
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { connections?: StoredConnection[] };
      return parsed.connections ?? [];
    } catch (error) {
      throw new AppError('DATA', `The connections file ${this.file} is not valid JSON (${(error as Error).message}). Fix or delete it.`, { cause: error });
    }
  }

  private write(connections: StoredConnection[]): void {
    // Write to a temporary file and rename, so a crash never leaves half a file.
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ connections }, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

function gatewayOf(platform: string, gatewayUrl: string | undefined): string {
  const url = platform === 'custom' ? resolveGateway({ gateway: gatewayUrl ?? '' }) : resolveGateway({ platform });
  return url.href;
}

function emptyToNull(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
