/**
 * A software WebAuthn authenticator for API tests: P-256 keys from node:crypto, "none" attestation
 * and signed assertions built byte for byte as the WebAuthn spec says, so the server's real
 * verification (@simplewebauthn/server) runs on them. Nothing is mocked. Overrides let a test send
 * what an attacker or a broken authenticator would (another origin or rpID, an old counter).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { PasskeyCreationOptions, PasskeyRequestOptions } from '../../src/shared/schemas/mfa.js';

// --- the little CBOR (RFC 8949) the attestation object and COSE key need -------------------------

type Cbor = number | string | Uint8Array | Map<number | string, Cbor> | { [key: string]: Cbor };

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(value, 1);
  return out;
}

function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  const entries: [number | string, Cbor][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

// --- the authenticator --------------------------------------------------------------------------

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Buffer | Uint8Array): string => Buffer.from(data).toString('base64url');

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

export interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  signCount: number;
}

export interface CeremonyOverrides {
  /** The page's origin the browser would report (default: the authenticator's origin). */
  origin?: string;
  /** The rpID the authenticator hashes into authenticatorData (default: the options' rpID). */
  rpId?: string;
  /** Answer another challenge than the options' (replaying an older one, say). */
  challenge?: string;
}

export class SoftwareAuthenticator {
  readonly credentials = new Map<string, StoredCredential>();

  /** `origin`: the origin of the page the ceremonies happen on, e.g. the server's public URL. */
  constructor(readonly origin: string) {}

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** navigator.credentials.create() answered: a new P-256 credential with "none" attestation. */
  createCredential(options: PasskeyCreationOptions, overrides: CeremonyOverrides = {}) {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cbor(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credentialId = randomBytes(32);
    const counter = Buffer.alloc(4);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_CREDENTIAL]),
      counter,
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      coseKey,
    ]);
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData });
    const id = b64url(credentialId);
    this.credentials.set(id, { id, privateKey, rpId, userHandle: options.user.id, signCount: 0 });
    const clientDataJSON = this.clientData(
      'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    return {
      id,
      rawId: id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal' as const],
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }

  /**
   * navigator.credentials.get() answered with the first allowed credential this authenticator
   * holds (or `credentialId`); the signature counter grows by one unless `signCount` is given.
   */
  getAssertion(
    options: PasskeyRequestOptions,
    overrides: CeremonyOverrides & { credentialId?: string; signCount?: number } = {},
  ) {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [...this.credentials.keys()];
    const credential = overrides.credentialId
      ? this.credentials.get(overrides.credentialId)
      : allowed.map((id) => this.credentials.get(id)).find((c) => c !== undefined);
    if (!credential) throw new Error('the authenticator holds none of the allowed credentials');
    credential.signCount = overrides.signCount ?? credential.signCount + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.signCount);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? options.rpId ?? credential.rpId),
      Buffer.from([FLAG_USER_PRESENT | FLAG_USER_VERIFIED]),
      counter,
    ]);
    const clientDataJSON = this.clientData(
      'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }
}
