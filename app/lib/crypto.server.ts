import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Constant-time comparison of two secrets of any length (lengths are hidden by hashing first). */
export function secretsEqual(a: string, b: string): boolean {
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
}

export function hmacSha256Hex(key: string, message: string): string {
  return createHmac("sha256", key).update(message, "utf8").digest("hex");
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** URL-safe random token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

const VERSION = "v1";

/**
 * AES-256-GCM envelope for secrets stored in the database: `v1.<keyId>.<iv>.<ciphertext>.<tag>`.
 * The key id lets old rows be read after a key rotation (ENCRYPTION_KEYS_PREVIOUS).
 */
export class SecretBox {
  readonly #keys: Map<string, Buffer>;
  readonly #currentId: string;

  constructor(currentKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    this.#keys = new Map();
    const current = Buffer.from(currentKeyBase64, "base64");
    this.#currentId = SecretBox.keyId(current);
    this.#keys.set(this.#currentId, current);
    for (const encoded of previousKeysBase64) {
      const key = Buffer.from(encoded, "base64");
      this.#keys.set(SecretBox.keyId(key), key);
    }
  }

  private static keyId(key: Buffer): string {
    if (key.length !== 32) throw new Error("encryption keys must be 32 bytes");
    return createHash("sha256").update(key).digest("hex").slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(this.#currentId)!, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.#currentId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.#currentId, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
  }

  open(sealed: string): string {
    const [version, keyId, iv, ciphertext, tag] = sealed.split(".");
    if (version !== VERSION || !keyId || !iv || ciphertext === undefined || !tag) throw new Error("not a sealed secret");
    const key = this.#keys.get(keyId);
    if (!key) throw new Error("sealed with an unknown key; set ENCRYPTION_KEYS_PREVIOUS");
    // The tag length is fixed: without it, Node would accept a truncated (much weaker) tag.
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(`${version}.${keyId}`));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson(sealed: string): unknown {
    return JSON.parse(this.open(sealed));
  }
}
