import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatEstimate, isDateOnly } from "~/components/dates";
import { ADMIN_LOCALES, catalogueProblems, createTranslator, resolveAdminLocale } from "~/i18n/catalogue";
import { en } from "~/i18n/locales/en";
import { SHIPMENT_STATUSES, SHIPMENT_SUBSTATUSES } from "~/domain/shipment-status";
import type { AttentionReason } from "~/services/shipment-index.server";

/** Every attention reason; the compiler fails this list when a reason is added or removed. */
const ATTENTION_REASONS = Object.keys({ exception: true, failed_attempt: true, stuck: true, pending_too_long: true, registration_failed: true } satisfies Record<AttentionReason, true>);

describe("admin string catalogue", () => {
  it.each(Object.keys(ADMIN_LOCALES))("%s has exactly English's keys and placeholders", (locale) => {
    expect(catalogueProblems(en, ADMIN_LOCALES[locale]!)).toEqual([]);
  });

  it("the check finds what a careless translation gets wrong", () => {
    const careless = {
      ...en,
      common: { ...en.common, save: undefined as unknown as string, shipments: "{n} envois", extra: "x" },
      status: { ...en.status, delivered: { one: "Livré", other: "Livrés" } },
      providerProblems: { ...en.providerProblems, auth_failed: "Clé refusée {key}" },
    };
    expect(catalogueProblems(en, careless).sort()).toEqual(
      [
        "missing common.save",
        "common.shipments should have plural forms",
        "extra common.extra",
        "status.delivered should not have plural forms",
        "providerProblems.auth_failed has placeholders {key} instead of {}",
      ].sort(),
    );
  });

  it("names every normalized status", () => {
    expect(Object.keys(en.status).sort()).toEqual([...SHIPMENT_STATUSES].sort());
  });
});

describe("createTranslator", () => {
  it("interpolates, pluralises and formats numbers for the locale", () => {
    const t = createTranslator("en-US");
    expect(t.locale).toBe("en");
    expect(t("common.shipments", { count: 1 })).toBe("1 shipment");
    expect(t("common.shipments", { count: 12_500 })).toBe("12,500 shipments");
    expect(t("status.undelivered")).toBe("Failed attempt");
  });

  it("falls back to English for a language the app does not have", () => {
    expect(resolveAdminLocale("ja")).toBe("en");
    expect(resolveAdminLocale("en_GB")).toBe("en");
    expect(resolveAdminLocale(null)).toBe("en");
    expect(createTranslator("pt-BR")("common.save")).toBe("Save");
  });
});

/** The admin's pages and components: where merchant-facing text lives in source. */
function adminSources(): { file: string; text: string }[] {
  const routes = readdirSync("app/routes")
    .filter((name) => /^app[._]/.test(name) && /\.tsx?$/.test(name))
    .map((name) => join("app/routes", name));
  const components = readdirSync("app/components").map((name) => join("app/components", name));
  return [...routes, ...components].map((file) => ({ file, text: readFileSync(file, "utf8") }));
}

function messageAt(key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined), en);
}

describe("English is complete for the admin", () => {
  it("every key the admin pages ask for exists in English", () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { file, text } of adminSources()) {
      for (const match of text.matchAll(/\bt\(\s*"([\w.]+)"/g)) {
        checked++;
        const value = messageAt(match[1]!);
        if (typeof value !== "string" && !(typeof value === "object" && value !== null && "other" in value)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
    // The scan really reads the pages (a broken pattern would pass on nothing).
    expect(checked).toBeGreaterThan(150);
  });

  it("no page keeps its own English strings table: a new locale needs only a new catalogue file", () => {
    const tables = adminSources()
      .filter(({ text }) => /const\s+STRINGS\b|const\s+[A-Z_]+_(?:ADVICE|TEXTS|MESSAGES)\s*[:=]/.test(text))
      .map(({ file }) => file);
    expect(tables).toEqual([]);
  });

  it("has words for every substatus, attention reason and import state the pages show", () => {
    expect(Object.keys(en.substatus).sort()).toEqual([...new Set(Object.values(SHIPMENT_SUBSTATUSES).flat())].sort());
    expect(Object.keys(en.attention).sort()).toEqual([...ATTENTION_REASONS].sort());
    expect(Object.keys(en.dashboard.attention.reasons).sort()).toEqual([...ATTENTION_REASONS].sort());
  });
});

describe("estimated delivery on the admin pages", () => {
  it("shows a date the provider gave without a time as a date, never as midnight", () => {
    expect(isDateOnly("2026-11-27T00:00:00.000Z")).toBe(true);
    expect(isDateOnly("2026-11-27T00:00:01.000Z")).toBe(false);
    expect(formatEstimate("en", "2026-11-27T00:00:00.000Z")).toBe("Nov 27, 2026");
    expect(formatEstimate("fr", "2026-11-27T00:00:00.000Z")).toBe("27 nov. 2026");
  });

  it("shows a time or a window as the carrier gave it (wall clock, not moved into the browser's zone)", () => {
    expect(formatEstimate("en", "2026-11-28T09:00:00.000Z")).toBe("Nov 28, 2026, 9:00 AM");
    expect(formatEstimate("en", "2026-11-28T09:00:00.000Z", "2026-11-28T12:00:00.000Z")).toBe("Nov 28, 2026, 9:00 AM – 12:00 PM");
    expect(formatEstimate("en", "2026-11-28T18:00:00.000Z", "2026-11-29T02:00:00.000Z")).toBe("Nov 28, 2026, 6:00 PM – Nov 29, 2026, 2:00 AM");
  });
});
