/**
 * The customer e-mails' string catalogue, on the admin catalogue's machinery (`~/i18n/catalogue`):
 * English is the reference, every other language has exactly its keys (a missing key fails the
 * type check; `catalogueProblems` checks placeholders in the unit tests).
 */
import type { StorefrontLocale } from "~/domain/tracking-page-contract";
import { resolveStorefrontLocale, STOREFRONT_INTL_LOCALES } from "~/i18n/storefront";
import { translatorFor, type DeepStrings, type MessageParams, type MessageTree, type Paths } from "~/i18n/catalogue";
import { de } from "./locales/de";
import { en } from "./locales/en";
import { es } from "./locales/es";
import { fr } from "./locales/fr";

export type CustomerEmailCatalogue = DeepStrings<typeof en>;
export type CustomerEmailMessageKey = Paths<typeof en>;
export type CustomerEmailTranslate = (key: CustomerEmailMessageKey, params?: MessageParams) => string;

export const CUSTOMER_EMAIL_LOCALES: Readonly<Record<StorefrontLocale, CustomerEmailCatalogue>> = { en, fr, de, es };

/** The customer's language from the order's locale ("fr-CA" → fr); English when we do not write theirs. */
export function customerEmailLocale(orderLocale: string | null | undefined): StorefrontLocale {
  return resolveStorefrontLocale(orderLocale);
}

export function customerEmailTranslator(locale: StorefrontLocale): CustomerEmailTranslate {
  return translatorFor(CUSTOMER_EMAIL_LOCALES[locale] as MessageTree, en, STOREFRONT_INTL_LOCALES[locale]);
}

export { en as CUSTOMER_EMAIL_REFERENCE };
