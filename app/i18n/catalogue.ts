/**
 * The admin's string catalogue. Every merchant-facing sentence lives in a locale file
 * (`./locales/<code>.ts`) with the same keys as English; pages get a `t(key, params)` for the
 * merchant's admin language (Shopify passes `locale` to embedded apps) and fall back to English
 * for a language the app does not have yet. Pure: usable on the server and in the browser.
 *
 * Message syntax: `{name}` inserts a parameter; a message object with `one`/`other` (and any other
 * CLDR plural category) is chosen by `params.count` with `Intl.PluralRules`.
 */
import { en } from "./locales/en";

export type PluralForms = { readonly other: string } & Partial<Record<Exclude<Intl.LDMLPluralRule, "other">, string>>;
export type MessageTree = { readonly [key: string]: string | PluralForms | MessageTree };

/** Dot paths to every message of a tree, e.g. "settings.provider.title". */
export type Paths<T> = {
  [K in keyof T & string]: T[K] extends string ? K : T[K] extends PluralForms ? K : `${K}.${Paths<T[K]>}`;
}[keyof T & string];

export type MessageKey = Paths<typeof en>;
export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The shape every locale must have: English's keys, any wording. */
export type Catalogue = DeepStrings<typeof en>;
export type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : T[K] extends PluralForms ? PluralForms : DeepStrings<T[K]> };

export const ADMIN_LOCALES: Readonly<Record<string, Catalogue>> = { en };
export const DEFAULT_LOCALE = "en";

/** The best catalogue for a requested BCP 47 locale: exact, then the language, then English. */
export function resolveAdminLocale(requested: string | null | undefined): string {
  if (!requested) return DEFAULT_LOCALE;
  const normalized = requested.replace("_", "-");
  if (ADMIN_LOCALES[normalized]) return normalized;
  const language = normalized.split("-")[0]!.toLowerCase();
  return ADMIN_LOCALES[language] ? language : DEFAULT_LOCALE;
}

function isPluralForms(value: unknown): value is PluralForms {
  return typeof value === "object" && value !== null && typeof (value as { other?: unknown }).other === "string";
}

function lookup(tree: MessageTree, key: string): string | PluralForms | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" || isPluralForms(node) ? node : undefined;
}

function interpolate(message: string, params: MessageParams | undefined, locale: string): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? new Intl.NumberFormat(locale).format(value) : value;
  });
}

export function createTranslator(requestedLocale: string | null | undefined): Translate & { locale: string } {
  const locale = resolveAdminLocale(requestedLocale);
  return Object.assign(translatorFor(ADMIN_LOCALES[locale] as MessageTree, en, locale), { locale });
}

/**
 * A `t(key, params)` over any catalogue shaped like `reference` (the admin's, the storefront's):
 * messages missing from `catalogue` come from `reference`; `locale` picks plural rules and number format.
 */
export function translatorFor<Reference extends MessageTree>(
  catalogue: MessageTree,
  reference: Reference,
  locale: string,
): (key: Paths<Reference>, params?: MessageParams) => string {
  const plurals = new Intl.PluralRules(locale);
  return (key, params) => {
    const message = lookup(catalogue, key) ?? lookup(reference, key);
    // A missing key is a bug the catalogue test catches; show the key rather than nothing.
    if (message === undefined) return key;
    if (typeof message === "string") return interpolate(message, params, locale);
    const count = typeof params?.count === "number" ? params.count : 0;
    return interpolate(message[plurals.select(count)] ?? message.other, params, locale);
  };
}

/**
 * What is wrong with a locale compared with English: missing or extra keys, a plural where
 * English has a sentence (or the reverse), and placeholders that differ (a translation that drops
 * `{count}` would show a wrong number).
 */
export function catalogueProblems(reference: MessageTree, candidate: MessageTree, prefix = ""): string[] {
  const problems: string[] = [];
  // Placeholders of a message (all plural forms together); a plural form may leave out {count}.
  const placeholders = (value: string | PluralForms) => {
    const texts = typeof value === "string" ? [value] : Object.values(value).filter((v): v is string => typeof v === "string");
    const names = new Set(texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)));
    if (typeof value !== "string") names.add("count");
    return [...names].sort().join(",");
  };
  for (const key of Object.keys(reference)) {
    const path = `${prefix}${key}`;
    const expected = reference[key]!;
    const actual = candidate[key];
    if (actual === undefined) {
      problems.push(`missing ${path}`);
    } else if (typeof expected === "string" || isPluralForms(expected)) {
      if (typeof actual !== "string" && !isPluralForms(actual)) problems.push(`${path} should be a message`);
      else if ((typeof expected === "string") !== (typeof actual === "string")) problems.push(`${path} should ${typeof expected === "string" ? "not " : ""}have plural forms`);
      else if (placeholders(actual) !== placeholders(expected)) problems.push(`${path} has placeholders {${placeholders(actual)}} instead of {${placeholders(expected)}}`);
    } else if (typeof actual !== "object" || isPluralForms(actual)) {
      problems.push(`${path} should be a group`);
    } else {
      problems.push(...catalogueProblems(expected, actual as MessageTree, `${path}.`));
    }
  }
  for (const key of Object.keys(candidate)) if (!(key in reference)) problems.push(`extra ${prefix}${key}`);
  return problems;
}
