/**
 * The key auth signs tokens with. Only auth holds the private half; the router and anyone else
 * verify with the public JWKS. A deployment supplies the key (`AUTH_PRIVATE_KEY_FILE`, PEM or
 * JWK); development generates one into the data directory on first start and reuses it, so
 * tokens survive restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@microservice-math/shared/config';
import type { Logger } from '@microservice-math/shared/logger';
import { TOKEN_ALGORITHM } from '@microservice-math/shared/tokenClaims';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importSPKI,
  type CryptoKey,
  type JWK,
} from 'jose';

export interface SigningKeys {
  privateKey: CryptoKey;
  kid: string;
  /** The current public key, then any previous ones whose tokens may still be live. */
  jwks: { keys: JWK[] };
}

export interface SigningKeyOptions {
  privateKeyFile: string | undefined;
  previousPublicKeyFile: string | undefined;
  production: boolean;
  dataDir: string;
  logger: Logger;
}

const DEV_KEY_FILE = 'auth-signing-key.pem';

async function importPrivate(text: string): Promise<CryptoKey> {
  if (text.trimStart().startsWith('{')) {
    const key = await importJWK(JSON.parse(text) as JWK, TOKEN_ALGORITHM, { extractable: true });
    if (!('type' in key) || key.type !== 'private') throw new Error('the JWK is not a private key');
    return key;
  }
  return importPKCS8(text, TOKEN_ALGORITHM, { extractable: true });
}

async function importPublic(text: string): Promise<JWK> {
  const key = text.trimStart().startsWith('{')
    ? await importJWK(JSON.parse(text) as JWK, TOKEN_ALGORITHM, { extractable: true })
    : await importSPKI(text, TOKEN_ALGORITHM, { extractable: true });
  if (key instanceof Uint8Array) throw new Error('expected an asymmetric public key');
  return publicJwk(key);
}

async function publicJwk(key: CryptoKey): Promise<JWK> {
  const { d: _private, ...jwk } = await exportJWK(key);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: TOKEN_ALGORITHM, use: 'sig' };
}

async function developmentKey(dataDir: string, logger: Logger): Promise<string> {
  const file = join(dataDir, DEV_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const pem = await exportPKCS8(privateKey);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, pem, { mode: 0o600 });
  logger.info({ file }, 'generated a development signing key');
  return pem;
}

async function readKeyFile(file: string, variable: string): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

export async function loadSigningKeys(options: SigningKeyOptions): Promise<SigningKeys> {
  let pem: string;
  if (options.privateKeyFile) {
    pem = await readKeyFile(options.privateKeyFile, 'AUTH_PRIVATE_KEY_FILE');
  } else if (options.production) {
    throw new ConfigError(
      'AUTH_PRIVATE_KEY_FILE: required in production (an Ed25519 private key, PEM PKCS#8 or JWK); ' +
        'create one with `openssl genpkey -algorithm ed25519 -out auth-key.pem`',
    );
  } else {
    pem = await developmentKey(options.dataDir, options.logger);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await importPrivate(pem);
  } catch (error) {
    throw new ConfigError(
      `AUTH_PRIVATE_KEY_FILE: not an Ed25519 private key (${(error as Error).message})`,
    );
  }
  const current = await publicJwk(privateKey);
  const keys = [current];
  if (options.previousPublicKeyFile) {
    const text = await readKeyFile(options.previousPublicKeyFile, 'AUTH_PREVIOUS_PUBLIC_KEY_FILE');
    try {
      keys.push(await importPublic(text));
    } catch (error) {
      throw new ConfigError(
        `AUTH_PREVIOUS_PUBLIC_KEY_FILE: not an Ed25519 public key (${(error as Error).message})`,
      );
    }
  }
  return { privateKey, kid: current.kid as string, jwks: { keys } };
}
