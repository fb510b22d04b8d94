import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { themeCheckRun, type Offense } from "@shopify/theme-check-node";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Shopify's own linter over the theme app extension, with the config Shopify CLI uses for theme
 * app extensions (app-block rules, asset size limits, translations, Liquid and schema validity).
 */
const EXTENSION = resolve("extensions/tracking-page");
const CONFIG = "theme-check:theme-app-extension";
const ERROR = 0; // theme-check's Severity.ERROR

async function offenses(root: string): Promise<Offense[]> {
  const run = await themeCheckRun(root, CONFIG, () => {});
  return run.offenses;
}

function describeOffenses(found: Offense[]): string[] {
  return found.map((offense) => `${offense.check} (${offense.severity}) ${offense.uri.replace(/^.*extensions\//, "")}: ${offense.message}`);
}

describe("theme check", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });

  it("finds nothing wrong in the tracking page extension", async () => {
    const found = await offenses(EXTENSION);
    expect(describeOffenses(found)).toEqual([]);
  });

  it("reports errors in a broken copy (so the check above can fail)", async () => {
    const copy = mkdtempSync(join(tmpdir(), "tracklight-theme-check-"));
    copies.push(copy);
    cpSync(EXTENSION, copy, { recursive: true });
    const edit = (path: string, from: string, to: string) => {
      const text = readFileSync(join(copy, path), "utf8");
      expect(text).toContain(from);
      writeFileSync(join(copy, path), text.replace(from, to));
    };
    edit("blocks/tracking-page.liquid", `{{ 'tracking_page.status.loaded' | t }}`, `{{ 'tracking_page.status.loaded' | t }`);
    edit("locales/fr.json", `"loaded": "Informations de suivi mises à jour.",`, "");
    edit("snippets/tracking-lookup-form.liquid", `'tracking_page.form.order_number' | t`, `'tracking_page.form.no_such_label' | t`);
    edit("assets/tracking-page.js", "'use strict';", `'use strict';\n  var padding = '${"x".repeat(12_000)}';`);

    const errors = (await offenses(copy)).filter((offense) => offense.severity === ERROR);
    expect(errors.map((offense) => offense.check)).toEqual(
      expect.arrayContaining(["LiquidSyntaxError", "MatchingTranslations", "TranslationKeyExists", "AssetSizeAppBlockJavaScript"]),
    );
  });
});
