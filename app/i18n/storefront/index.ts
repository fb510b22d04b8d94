/**
 * The storefront's catalogue: the tracking page's changing texts in the customer's language.
 * Same machinery as the admin's (`../catalogue`): English is the reference, every other language
 * has exactly its keys (a missing key fails the type check; `catalogueProblems` checks placeholders).
 */
import type { StorefrontLocale } from "~/domain/tracking-page-contract";
import { translatorFor, type DeepStrings, type MessageParams, type MessageTree, type Paths } from "../catalogue";
import { de } from "./locales/de";
import { en } from "./locales/en";
import { es } from "./locales/es";
import { fr } from "./locales/fr";

export type StorefrontCatalogue = DeepStrings<typeof en>;
export type StorefrontMessageKey = Paths<typeof en>;
export type StorefrontTranslate = (key: StorefrontMessageKey, params?: MessageParams) => string;

export const STOREFRONT_LOCALES: Readonly<Record<StorefrontLocale, StorefrontCatalogue>> = { en, fr, de, es };
export const DEFAULT_STOREFRONT_LOCALE: StorefrontLocale = "en";

/**
 * The tag given to `Intl` for dates and numbers. English reads day-first with a 24-hour clock,
 * as in "Thursday, 26 November" and "14:02", the wording the tracking page is written in.
 */
export const STOREFRONT_INTL_LOCALES: Readonly<Record<StorefrontLocale, string>> = { en: "en-GB", fr: "fr-FR", de: "de-DE", es: "es-ES" };

function isStorefrontLocale(value: string): value is StorefrontLocale {
  return Object.hasOwn(STOREFRONT_LOCALES, value);
}

/**
 * The customer's language from whatever the request carries: an order's locale ("fr-CA"), the
 * proxy's `locale` parameter ("de"), or an Accept-Language header ("es-ES,es;q=0.9,en;q=0.8",
 * taken in order of preference). English when none of them is a language the page speaks.
 */
export function resolveStorefrontLocale(requested: string | null | undefined): StorefrontLocale {
  if (!requested) return DEFAULT_STOREFRONT_LOCALE;
  const preferences = requested
    .split(",")
    .map((entry, position) => {
      const [tag = "", ...parameters] = entry.trim().split(";");
      const quality = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((q) => q !== undefined);
      return { language: tag.trim().replace("_", "-").split("-")[0]!.toLowerCase(), quality: quality === undefined ? 1 : Number(quality), position };
    })
    .filter((preference) => preference.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.position - b.position);
  return preferences.find((preference) => isStorefrontLocale(preference.language))?.language as StorefrontLocale | undefined ?? DEFAULT_STOREFRONT_LOCALE;
}

const translators = new Map<StorefrontLocale, StorefrontTranslate>();

/** `t(key, params)` in one of the storefront's languages (built once per language: every lookup uses one). */
export function storefrontTranslator(locale: StorefrontLocale): StorefrontTranslate {
  let translate = translators.get(locale);
  if (!translate) {
    translate = translatorFor(STOREFRONT_LOCALES[locale] as MessageTree, en, STOREFRONT_INTL_LOCALES[locale]);
    translators.set(locale, translate);
  }
  return translate;
}

export { en as STOREFRONT_REFERENCE };
