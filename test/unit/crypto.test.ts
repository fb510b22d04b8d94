import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox, hmacSha256Hex, secretsEqual } from "~/lib/crypto.server";

const keyA = Buffer.alloc(32, 1).toString("base64");
const keyB = Buffer.alloc(32, 2).toString("base64");
const keyC = Buffer.alloc(32, 3).toString("base64");

const SECRET = "tm_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

/** Flip one bit of one base64url segment of a sealed value, so the change always reaches the bytes. */
function tamper(sealed: string, segment: number, byteIndex = 0): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[segment]!, "base64url");
  bytes[byteIndex % bytes.length]! ^= 0x01;
  parts[segment] = bytes.toString("base64url");
  return parts.join(".");
}

describe("SecretBox", () => {
  it.each([
    ["an API key", SECRET],
    ["an empty string", ""],
    ["unicode", "clé secrète — 秘密 🔑"],
    ["a long value", "x".repeat(10_000)],
    ["text with dots", "a.b.c.d.e"],
  ])("round-trips %s", (_label, plaintext) => {
    const box = new SecretBox(keyA);
    const sealed = box.seal(plaintext);
    expect(box.open(sealed)).toBe(plaintext);
    if (plaintext.length > 4) expect(sealed).not.toContain(plaintext);
  });

  it("round-trips JSON", () => {
    const box = new SecretBox(keyA);
    const value = { apiKey: SECRET, webhookSecret: "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f", accountEmail: null, n: 3 };
    expect(box.openJson(box.sealJson(value))).toEqual(value);
  });

  it("seals to the documented envelope v1.<keyId>.<iv>.<ciphertext>.<tag>", () => {
    const sealed = new SecretBox(keyA).seal(SECRET);
    const [version, keyId, iv, ciphertext, tag, extra] = sealed.split(".");
    expect(version).toBe("v1");
    expect(keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(Buffer.from(iv!, "base64url")).toHaveLength(12);
    expect(Buffer.from(ciphertext!, "base64url")).toHaveLength(Buffer.byteLength(SECRET));
    expect(Buffer.from(tag!, "base64url")).toHaveLength(16);
    expect(extra).toBeUndefined();
  });

  it("produces a different ciphertext each time (random IV)", () => {
    const box = new SecretBox(keyA);
    const sealed = Array.from({ length: 20 }, () => box.seal(SECRET));
    expect(new Set(sealed).size).toBe(20);
    expect(new Set(sealed.map((s) => s.split(".")[2])).size).toBe(20);
    for (const s of sealed) expect(box.open(s)).toBe(SECRET);
  });

  it.each([
    ["the iv", 2],
    ["the ciphertext", 3],
    ["the tag", 4],
  ])("refuses a value whose %s was tampered with", (_label, segment) => {
    const box = new SecretBox(keyA);
    const sealed = box.seal(SECRET);
    for (const byteIndex of [0, 5, 11, 15]) {
      expect(() => box.open(tamper(sealed, segment, byteIndex))).toThrow();
    }
  });

  it("refuses a tag of an invalid length or a truncated ciphertext", () => {
    const box = new SecretBox(keyA);
    const parts = box.seal(SECRET).split(".");
    const shortTag = [...parts.slice(0, 4), parts[4]!.slice(0, 8)].join(".");
    expect(() => box.open(shortTag)).toThrow();
    const shortText = [...parts.slice(0, 3), parts[3]!.slice(0, -4), parts[4]].join(".");
    expect(() => box.open(shortText)).toThrow();
  });

  it("refuses a tag truncated to a correct 4, 8 or 12-byte prefix", () => {
    const box = new SecretBox(keyA);
    const parts = box.seal(SECRET).split(".");
    const tag = Buffer.from(parts[4]!, "base64url");
    for (const length of [4, 8, 12]) {
      const truncated = [...parts.slice(0, 4), tag.subarray(0, length).toString("base64url")].join(".");
      expect(() => box.open(truncated), `${length}-byte tag`).toThrow();
    }
  });

  it("refuses a key id swapped for another known key's id (the key id is authenticated)", () => {
    const box = new SecretBox(keyA, [keyB]);
    const sealedWithA = box.seal(SECRET);
    const idOfB = new SecretBox(keyB).seal("x").split(".")[1]!;
    const parts = sealedWithA.split(".");
    parts[1] = idOfB;
    expect(() => box.open(parts.join("."))).toThrow();
  });

  it("refuses a changed version or an unknown key id, with a helpful message", () => {
    const box = new SecretBox(keyA);
    const parts = box.seal(SECRET).split(".");
    expect(() => box.open(["v2", ...parts.slice(1)].join("."))).toThrow(/not a sealed secret/);
    expect(() => box.open([parts[0], "deadbeef", ...parts.slice(2)].join("."))).toThrow(/unknown key.*ENCRYPTION_KEYS_PREVIOUS/);
  });

  it.each(["", "plaintext", "v1.abc", "v1.a.b.c", SECRET])("refuses %j as not sealed", (value) => {
    expect(() => new SecretBox(keyA).open(value)).toThrow();
  });

  it("opens values sealed with a previous key after rotation, and seals with the new key", () => {
    const before = new SecretBox(keyA);
    const oldValue = before.seal(SECRET);
    const after = new SecretBox(keyB, [keyA]);
    expect(after.open(oldValue)).toBe(SECRET);
    const newValue = after.seal(SECRET);
    expect(newValue.split(".")[1]).not.toBe(oldValue.split(".")[1]);
    // The old key alone cannot read the new value; the new key alone cannot read the old one.
    expect(() => before.open(newValue)).toThrow(/unknown key/);
    expect(() => new SecretBox(keyB).open(oldValue)).toThrow(/unknown key/);
    // Several previous keys.
    expect(new SecretBox(keyC, [keyB, keyA]).open(oldValue)).toBe(SECRET);
  });

  it("a different key with the same id cannot exist by accident: two keys give two ids", () => {
    const ids = new Set([keyA, keyB, keyC, randomBytes(32).toString("base64")].map((k) => new SecretBox(k).seal("").split(".")[1]));
    expect(ids.size).toBe(4);
  });

  it.each([
    ["16 bytes", randomBytes(16).toString("base64")],
    ["31 bytes", randomBytes(31).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64")],
    ["64 bytes", randomBytes(64).toString("base64")],
    ["empty", ""],
    ["a passphrase", "correct horse battery staple"],
  ])("refuses a current key of %s", (_label, key) => {
    expect(() => new SecretBox(key)).toThrow(/32 bytes/);
  });

  it("refuses a previous key that is not 32 bytes", () => {
    expect(() => new SecretBox(keyA, [randomBytes(24).toString("base64")])).toThrow(/32 bytes/);
  });
});

describe("secretsEqual", () => {
  it.each([
    ["identical", "abc123", "abc123", true],
    ["both empty", "", "", true],
    ["unicode", "clé-秘密", "clé-秘密", true],
    ["one character differs", "abc123", "abc124", false],
    ["different case", "ABC123", "abc123", false],
    ["a prefix", "abc12", "abc123", false],
    ["longer", "abc1234", "abc123", false],
    ["empty vs non-empty", "", "a", false],
    ["trailing space", "abc123 ", "abc123", false],
  ])("%s → %s", (_label, a, b, expected) => {
    expect(secretsEqual(a, b)).toBe(expected);
    expect(secretsEqual(b, a)).toBe(expected);
  });
});

describe("hmacSha256Hex", () => {
  it("matches the TrackingMore webhook test vector (reference §A.3)", () => {
    expect(hmacSha256Hex("2e55b9a3-4dd1-4416-9897-c4bd1e3d738f", "1662371528")).toBe(
      "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06",
    );
  });

  it("matches node:crypto for other inputs and depends on key and message", () => {
    const cases: Array<[string, string]> = [["merchant@example.com", "1488249109"], ["k", ""], ["ключ", "сообщение"]];
    for (const [key, message] of cases) {
      expect(hmacSha256Hex(key, message)).toBe(createHmac("sha256", Buffer.from(key, "utf8")).update(Buffer.from(message, "utf8")).digest("hex"));
    }
    expect(hmacSha256Hex("a", "m")).not.toBe(hmacSha256Hex("b", "m"));
    expect(hmacSha256Hex("a", "m")).not.toBe(hmacSha256Hex("a", "n"));
  });
});
