import { describe, expect, it } from "vitest";
import { ADMIN_LOCALES, catalogueProblems, createTranslator, resolveAdminLocale } from "~/i18n/catalogue";
import { en } from "~/i18n/locales/en";
import { SHIPMENT_STATUSES } from "~/domain/shipment-status";

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
