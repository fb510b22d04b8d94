import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { config } from "~/config.server";
import { createTranslator, resolveAdminLocale } from "~/i18n/catalogue";
import { I18nProvider, useT } from "~/i18n/react";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  // Shopify admin opens embedded apps with the merchant's language in `locale`.
  const locale = resolveAdminLocale(new URL(request.url).searchParams.get("locale"));
  // The API key is public (it is in every App Bridge URL); the secret never leaves the server.
  return { apiKey: config().SHOPIFY_API_KEY, locale };
};

// Every page needs a document title (screen readers announce it; axe's document-title rule). The
// admin shows its own title bar, so the app's name is enough for the frame.
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: createTranslator(data?.locale)("common.appName") }];

export default function App() {
  const { apiKey, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <I18nProvider locale={locale}>
        <AppNavigation />
        <Outlet />
      </I18nProvider>
    </AppProvider>
  );
}

/** The app's pages in the admin sidebar (App Bridge's nav menu), in the merchant's language. */
function AppNavigation() {
  const t = useT();
  return (
    <NavMenu>
      <Link to="/app" rel="home">
        {t("common.nav.overview")}
      </Link>
      <Link to="/app/shipments">{t("common.nav.shipments")}</Link>
      <Link to="/app/notifications">{t("emails.settings.nav")}</Link>
      <Link to="/app/settings">{t("common.nav.settings")}</Link>
    </NavMenu>
  );
}

// Only the first load carries admin's `locale` (and nothing here changes later): in-app navigation
// must not re-run this loader and lose the language. Every child loader authenticates itself.
export const shouldRevalidate: ShouldRevalidateFunction = () => false;

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
