import { boundary } from "@shopify/shopify-app-remix/server";
import type { ActionFunctionArgs, LoaderFunctionArgs, HeadersFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Modal, SaveBar, TitleBar } from "@shopify/app-bridge-react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { appContext } from "~/context.server";
import { catalogueLabel } from "~/components/shipment-labels";
import { useT } from "~/i18n/react";
import { PROVIDER_IDS, type ProviderId } from "~/domain/tracking-observation";
import { saveProviderConnection, testProviderConnection } from "~/services/provider-connection.server";
import { readSettings, removeProvider, saveGeneralSettings, saveRoutingChoices, startBackfill } from "~/services/settings.server";
import { authenticate } from "~/shopify.server";

/** The provider select's values; the labels come from the catalogue (settings.providers.options). */
const PROVIDER_CHOICES = [
  { key: "trackingmoreV4", value: "trackingmore:v4" },
  { key: "trackingmoreV2", value: "trackingmore:v2" },
  { key: "tracktry", value: "tracktry" },
  { key: "upsProduction", value: "ups:production" },
  { key: "upsCie", value: "ups:cie" },
] as const;

/** Provider names in settings: UPS's own name here, since the choice between its two APIs is made in the select. */
const PROVIDER_NAMES: Record<ProviderId, string> = { trackingmore: "TrackingMore", tracktry: "Tracktry", ups: "UPS" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return readSettings(appContext(), session.shop);
};

const INTENTS = ["test-connection", "save-provider", "disconnect-provider", "save-routing", "save-general", "start-backfill"] as const;
type Intent = (typeof INTENTS)[number];

const formSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("test-connection"), connection: z.string() }),
  z.object({ intent: z.literal("save-provider"), connection: z.string() }),
  z.object({ intent: z.literal("disconnect-provider"), provider: z.enum(PROVIDER_IDS) }),
  z.object({ intent: z.literal("save-routing"), defaultProvider: z.string(), upsToUps: z.string().optional() }),
  z.object({
    intent: z.literal("save-general"),
    pollIntervalMinutes: z.string(),
    stuckAfterDays: z.string(),
    pendingTooLongDays: z.string(),
    backfillDays: z.string(),
  }),
  z.object({ intent: z.literal("start-backfill"), backfillDays: z.string() }),
]);

/** "trackingmore:v4" / "ups:cie" from the provider select, plus the typed credentials. */
function connectionInput(choice: string, fields: Record<string, FormDataEntryValue>) {
  const [provider, variant] = choice.split(":");
  const text = (name: string) => (typeof fields[name] === "string" ? (fields[name] as string) : undefined);
  if (provider === "trackingmore") return { provider, apiVersion: variant, apiKey: text("apiKey"), webhookSecret: text("webhookSecret"), accountEmail: text("accountEmail") };
  if (provider === "ups") return { provider, environment: variant, clientId: text("clientId"), clientSecret: text("clientSecret") };
  return { provider, apiKey: text("apiKey") };
}

export interface SettingsActionResult {
  intent: Intent | null;
  ok: boolean;
  message: string | null;
  /** The form could not be read (a tampered or stale page): the page says so in the merchant's language. */
  invalidRequest?: boolean;
  /** Saved, but something the merchant should know (the provider could not check the key). */
  warning?: string | null;
  /** Field name → what to fix, shown next to the field. */
  fieldErrors: Record<string, string>;
}

export const action = async ({ request }: ActionFunctionArgs): Promise<SettingsActionResult> => {
  const { session } = await authenticate.admin(request);
  const fields = Object.fromEntries(await request.formData());
  const form = formSchema.safeParse(fields);
  if (!form.success) return { intent: null, ok: false, message: null, invalidRequest: true, fieldErrors: {} };
  const ctx = appContext();
  const shop = session.shop;
  const input = form.data;
  switch (input.intent) {
    case "test-connection": {
      const parsed = safeConnection(input.connection, fields);
      if (!parsed) return { intent: input.intent, ok: false, message: null, invalidRequest: true, fieldErrors: {} };
      const result = await testProviderConnection(ctx, shop, parsed);
      return { intent: input.intent, ok: result.ok, message: result.message, fieldErrors: result.ok ? {} : (result.fieldErrors ?? {}) };
    }
    case "save-provider": {
      const parsed = safeConnection(input.connection, fields);
      if (!parsed) return { intent: input.intent, ok: false, message: null, invalidRequest: true, fieldErrors: {} };
      const result = await saveProviderConnection(ctx, shop, parsed);
      return result.saved
        ? { intent: input.intent, ok: true, message: result.message, warning: result.warning, fieldErrors: {} }
        : { intent: input.intent, ok: false, message: result.message, fieldErrors: result.fieldErrors };
    }
    case "disconnect-provider":
      await removeProvider(ctx, shop, input.provider);
      return { intent: input.intent, ok: true, message: null, fieldErrors: {} };
    case "save-routing": {
      const result = await saveRoutingChoices(ctx, shop, { defaultProvider: input.defaultProvider, upsToUps: input.upsToUps === "on" });
      return { intent: input.intent, ok: result.ok, message: null, fieldErrors: result.ok ? {} : result.fieldErrors };
    }
    case "save-general": {
      const { intent, ...general } = input;
      const result = await saveGeneralSettings(ctx, shop, general);
      return { intent, ok: result.ok, message: null, fieldErrors: result.ok ? {} : result.fieldErrors };
    }
    case "start-backfill": {
      const result = await startBackfill(ctx, shop, { backfillDays: input.backfillDays });
      return { intent: input.intent, ok: result.started, message: null, fieldErrors: result.started ? {} : result.fieldErrors };
    }
  }
};

function safeConnection(choice: string, fields: Record<string, FormDataEntryValue>) {
  if (!PROVIDER_CHOICES.some((option) => option.value === choice)) return null;
  return connectionInput(choice, fields);
}

/** The same text on the server and in the browser (a locale- or zone-dependent format would break hydration). */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

type SettingsData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Settings() {
  const settings = useLoaderData<typeof loader>();
  const t = useT();
  const revalidator = useRevalidator();

  // While an import runs, read its progress again every two seconds.
  const importing = settings.backfill?.active ?? false;
  useEffect(() => {
    if (!importing) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 2_000);
    return () => clearInterval(timer);
  }, [importing, revalidator]);

  const toast = useCallback((message: string | null | undefined) => {
    if (message) showToast(message);
  }, []);

  return (
    <Page title={t("settings.title")}>
      <Layout>
        {settings.providers
          .filter((account) => account.blocked)
          .map((account) => (
            <Layout.Section key={`blocked-${account.provider}`}>
              <Banner tone="critical" title={t("settings.providers.blockedTitle", { provider: PROVIDER_NAMES[account.provider] })}>
                <p>{account.blocked!.advice}</p>
              </Banner>
            </Layout.Section>
          ))}
        <Layout.Section>
          <ProviderSection settings={settings} toast={toast} />
        </Layout.Section>
        <Layout.Section>
          <WebhookSection url={settings.trackingMoreWebhookUrl} toast={toast} />
        </Layout.Section>
        {settings.providers.length > 0 ? (
          <Layout.Section>
            <RoutingSection settings={settings} toast={toast} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <GeneralAndBackfillSections settings={settings} toast={toast} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** App Bridge's toast: the `shopify` global inside Shopify admin; absent elsewhere (then the banners still say it). */
function showToast(message: string): void {
  const appBridge = (globalThis as { shopify?: { toast?: { show(message: string): void } } }).shopify;
  appBridge?.toast?.show(message);
}

type Toast = (message: string | null | undefined) => void;

/** `fallback`: the page's own words for a success the server did not describe (the server does not know the merchant's language). */
function useToastOnResult(data: SettingsActionResult | undefined, toast: Toast, when: (data: SettingsActionResult) => boolean, fallback: string | null = null) {
  useEffect(() => {
    // Once per answer: `data` changes only when a new answer arrives.
    if (data && data.ok && when(data)) toast(data.message ?? fallback);
  }, [data]);
}

function ProviderSection({ settings, toast }: { settings: SettingsData; toast: Toast }) {
  const t = useT();
  const fetcher = useFetcher<typeof action>();
  const [choice, setChoice] = useState<string>(() => {
    const first = settings.providers[0];
    if (!first) return "trackingmore:v4";
    if (first.provider === "trackingmore") return `trackingmore:${first.apiVersion ?? "v4"}`;
    if (first.provider === "ups") return `ups:${first.environment ?? "production"}`;
    return first.provider;
  });
  const [fields, setFields] = useState<Record<string, string>>({});
  const provider = choice.split(":")[0] as ProviderId;
  const stored = settings.providers.find((account) => account.provider === provider) ?? null;
  const result = fetcher.data;
  const errors = result?.fieldErrors ?? {};
  const busyIntent = fetcher.state !== "idle" ? fetcher.formData?.get("intent") : null;

  useToastOnResult(result, toast, (data) => data.intent === "save-provider");
  useEffect(() => {
    // Secrets leave the page once saved: the fields are write-only.
    if (fetcher.state === "idle" && result?.intent === "save-provider" && result.ok) setFields({});
  }, [fetcher.state, result]);

  const submit = (intent: "test-connection" | "save-provider") => {
    fetcher.submit({ intent, connection: choice, ...fields }, { method: "post" });
  };
  const field = (name: string, label: string, options: { saved?: boolean; help?: string; type?: "password" | "email" } = {}) => (
    <TextField
      key={`${provider}-${name}`}
      label={label}
      name={name}
      type={options.type ?? "password"}
      autoComplete="off"
      value={fields[name] ?? ""}
      onChange={(value) => setFields((current) => ({ ...current, [name]: value }))}
      helpText={[options.help, stored ? (options.saved ? t("settings.providers.keepBlank") : t("settings.providers.notSaved")) : null].filter(Boolean).join(" ")}
      error={errors[name]}
    />
  );

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("settings.providers.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("settings.providers.intro")}
          </Text>
        </BlockStack>
        {settings.providers.length === 0 ? <Text as="p">{t("settings.providers.none")}</Text> : null}
        {settings.providers.map((account) => (
          <Box key={account.provider} padding="300" background="bg-surface-secondary" borderRadius="200">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  {PROVIDER_NAMES[account.provider]}
                  {account.apiVersion ? ` (${t("settings.providers.apiVersion", { version: account.apiVersion })})` : ""}
                  {account.environment === "cie" ? ` – ${t("settings.providers.cie")}` : ""}
                  {settings.routing.defaultProvider === account.provider ? ` · ${t("settings.providers.isDefault")}` : ""}
                </Text>
                {account.keyHint ? (
                  <Text as="p">{t(account.provider === "ups" ? "settings.providers.clientIdHint" : "settings.providers.keyHint", { hint: account.keyHint.replace(/^•+/, "") })}</Text>
                ) : null}
                <Text as="p" tone="subdued">
                  {account.lastSuccessAt ? t("settings.providers.lastSuccess", { at: formatInstant(account.lastSuccessAt) }) : t("settings.providers.neverSucceeded")}
                </Text>
                {account.ignoredEvents > 0 ? (
                  <Text as="p" tone="subdued">
                    {t("settings.providers.ignoredEvents", { count: account.ignoredEvents })}
                  </Text>
                ) : null}
              </BlockStack>
              <DisconnectButton provider={account.provider} onConfirm={() => fetcher.submit({ intent: "disconnect-provider", provider: account.provider }, { method: "post" })} />
            </InlineStack>
          </Box>
        ))}
        <FormLayout>
          <Select
            label={t("settings.providers.choose")}
            options={PROVIDER_CHOICES.map((option) => ({ label: t(`settings.providers.options.${option.key}`), value: option.value }))}
            value={choice}
            onChange={(value) => {
              setChoice(value);
              setFields({});
            }}
          />
          {provider === "ups" ? (
            <>
              {field("clientId", t("settings.providers.clientId"), { saved: Boolean(stored), help: t("settings.providers.upsHelp") })}
              {field("clientSecret", t("settings.providers.clientSecret"), { saved: Boolean(stored?.secretsSaved.clientSecret) })}
            </>
          ) : (
            field("apiKey", t("settings.providers.apiKey"), { saved: Boolean(stored) })
          )}
          {choice === "trackingmore:v4"
            ? field("webhookSecret", t("settings.providers.webhookSecret"), { saved: Boolean(stored?.secretsSaved.webhookSecret), help: t("settings.providers.webhookSecretHelp") })
            : null}
          {choice === "trackingmore:v2"
            ? field("accountEmail", t("settings.providers.accountEmail"), { saved: Boolean(stored?.secretsSaved.accountEmail), help: t("settings.providers.accountEmailHelp") })
            : null}
        </FormLayout>
        {result && (result.intent === "test-connection" || result.intent === "save-provider") && fetcher.state !== "submitting" && (result.message || result.invalidRequest) ? (
          <Banner tone={result.ok ? (result.warning ? "warning" : "success") : "critical"}>
            <p>{result.warning ?? result.message ?? t("settings.invalidRequest")}</p>
          </Banner>
        ) : null}
        <InlineStack gap="200" align="end">
          <Button onClick={() => submit("test-connection")} loading={busyIntent === "test-connection"}>
            {t("settings.providers.test")}
          </Button>
          <Button variant="primary" onClick={() => submit("save-provider")} loading={busyIntent === "save-provider"}>
            {t("settings.providers.save")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

/** Disconnecting deletes credentials and moves shipments: the merchant confirms in an App Bridge modal first. */
function DisconnectButton({ provider, onConfirm }: { provider: ProviderId; onConfirm: () => void }) {
  // Mounted only once asked for: nothing of the modal is in the server-rendered page to hydrate.
  const t = useT();
  const [confirming, setConfirming] = useState(false);
  const name = PROVIDER_NAMES[provider];
  return (
    <>
      <Button tone="critical" variant="plain" onClick={() => setConfirming(true)}>
        {t("settings.providers.disconnect")}
      </Button>
      {confirming ? (
        <Modal id={`tracklight-disconnect-${provider}`} open onHide={() => setConfirming(false)}>
          <Box padding="400">
            <BlockStack gap="400">
              <Text as="p">{t("settings.providers.disconnectBody", { provider: name })}</Text>
              <InlineStack gap="200" align="end">
                <Button onClick={() => setConfirming(false)}>{t("settings.providers.cancel")}</Button>
                <Button
                  tone="critical"
                  variant="primary"
                  onClick={() => {
                    onConfirm();
                    setConfirming(false);
                  }}
                >
                  {t("settings.providers.disconnect")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
          <TitleBar title={t("settings.providers.disconnectTitle", { provider: name })} />
        </Modal>
      ) : null}
    </>
  );
}

function WebhookSection({ url, toast }: { url: string; toast: Toast }) {
  const t = useT();
  const copy = () => {
    void navigator.clipboard?.writeText(url).then(() => toast(t("settings.webhook.copied")));
  };
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("settings.webhook.heading")}
        </Text>
        <TextField
          label={t("settings.webhook.label")}
          value={url}
          readOnly
          autoComplete="off"
          helpText={t("settings.webhook.help")}
          connectedRight={
            <Button onClick={copy} accessibilityLabel={t("settings.webhook.copyLabel")}>
              {t("settings.webhook.copy")}
            </Button>
          }
        />
      </BlockStack>
    </Card>
  );
}

function RoutingSection({ settings, toast }: { settings: SettingsData; toast: Toast }) {
  const t = useT();
  const fetcher = useFetcher<typeof action>();
  const connected = settings.providers.map((account) => account.provider);
  const [defaultProvider, setDefaultProvider] = useState<string>(settings.routing.defaultProvider);
  const [upsToUps, setUpsToUps] = useState(settings.routing.carrierProviders.ups === "ups");
  useEffect(() => {
    setDefaultProvider(settings.routing.defaultProvider);
    setUpsToUps(settings.routing.carrierProviders.ups === "ups");
  }, [settings.routing.defaultProvider, settings.routing.carrierProviders.ups]);
  useToastOnResult(fetcher.data, toast, (data) => data.intent === "save-routing", t("settings.routing.saved"));
  const errors = fetcher.data?.intent === "save-routing" ? fetcher.data.fieldErrors : {};
  const otherRoutes = Object.entries(settings.routing.carrierProviders).filter(([carrier]) => carrier !== "ups");

  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="save-routing" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.routing.heading")}
          </Text>
          <FormLayout>
            <Select
              label={t("settings.routing.defaultProvider")}
              name="defaultProvider"
              helpText={t("settings.routing.defaultHelp")}
              options={connected.map((provider) => ({ label: PROVIDER_NAMES[provider], value: provider }))}
              value={defaultProvider}
              onChange={setDefaultProvider}
              error={errors.defaultProvider}
            />
            {connected.includes("ups") ? (
              <Checkbox
                label={t("settings.routing.upsToUps")}
                name="upsToUps"
                helpText={t("settings.routing.upsHelp")}
                checked={upsToUps}
                onChange={setUpsToUps}
                error={errors["carrierProviders.ups"]}
              />
            ) : null}
            {otherRoutes.map(([carrier, provider]) => (
              <Text as="p" key={carrier}>
                {t("settings.routing.route", { carrier: carrier.toUpperCase(), provider: PROVIDER_NAMES[provider] })}
              </Text>
            ))}
          </FormLayout>
          <InlineStack align="end">
            <Button submit loading={fetcher.state !== "idle"}>
              {t("settings.routing.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

type GeneralFields = { pollIntervalMinutes: string; stuckAfterDays: string; pendingTooLongDays: string; backfillDays: string };

function GeneralAndBackfillSections({ settings, toast }: { settings: SettingsData; toast: Toast }) {
  const t = useT();
  const generalFetcher = useFetcher<typeof action>();
  const backfillFetcher = useFetcher<typeof action>();
  const saved = useMemo<GeneralFields>(
    () => ({
      pollIntervalMinutes: String(settings.general.pollIntervalMinutes),
      stuckAfterDays: String(settings.general.stuckAfterDays),
      pendingTooLongDays: String(settings.general.pendingTooLongDays),
      backfillDays: String(settings.general.backfillDays),
    }),
    [settings.general.pollIntervalMinutes, settings.general.stuckAfterDays, settings.general.pendingTooLongDays, settings.general.backfillDays],
  );
  const [values, setValues] = useState<GeneralFields>(saved);
  useEffect(() => setValues(saved), [saved]);
  const dirty = (Object.keys(saved) as Array<keyof GeneralFields>).some((key) => saved[key] !== values[key]);

  useToastOnResult(generalFetcher.data, toast, (data) => data.intent === "save-general", t("settings.general.saved"));
  useToastOnResult(backfillFetcher.data, toast, (data) => data.intent === "start-backfill", t("settings.backfill.started"));
  const generalErrors = generalFetcher.data?.intent === "save-general" ? generalFetcher.data.fieldErrors : {};
  const backfillErrors = backfillFetcher.data?.intent === "start-backfill" ? backfillFetcher.data.fieldErrors : {};

  const save = () => generalFetcher.submit({ intent: "save-general", ...values }, { method: "post" });
  const discard = () => setValues(saved);
  const number = (name: keyof GeneralFields, label: string, suffix: string, help?: string) => (
    <TextField
      label={label}
      name={name}
      type="number"
      autoComplete="off"
      suffix={suffix}
      helpText={help}
      value={values[name]}
      onChange={(value) => setValues((current) => ({ ...current, [name]: value }))}
      error={generalErrors[name] ?? (name === "backfillDays" ? backfillErrors.backfillDays : undefined)}
    />
  );
  const run = settings.backfill;

  return (
    <BlockStack gap="400">
      <SaveBar id="tracklight-settings-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={generalFetcher.state !== "idle"}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.general.heading")}
          </Text>
          <FormLayout>
            {number("pollIntervalMinutes", t("settings.general.pollInterval"), t("settings.general.minutes"), t("settings.general.pollIntervalHelp"))}
            <FormLayout.Group>
              {number("stuckAfterDays", t("settings.general.stuck"), t("settings.general.days"))}
              {number("pendingTooLongDays", t("settings.general.pending"), t("settings.general.days"))}
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end" gap="200">
            <Button onClick={discard} disabled={!dirty}>
              {t("settings.general.discard")}
            </Button>
            <Button variant="primary" onClick={save} disabled={!dirty} loading={generalFetcher.state !== "idle"}>
              {t("settings.general.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.backfill.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("settings.backfill.help")}
          </Text>
          {number("backfillDays", t("settings.backfill.window"), t("settings.general.days"))}
          {backfillErrors.backfill ? (
            <Banner tone="warning">
              <p>{backfillErrors.backfill}</p>
            </Banner>
          ) : null}
          {run ? (
            <BlockStack gap="100">
              <Text as="p">
                {t("settings.backfill.progress", { state: catalogueLabel(t, "settings.backfill.states", run.state), orders: run.ordersProcessed, numbers: run.trackingNumbersFound })}
              </Text>
              {run.active || run.percent !== null ? <ProgressBar progress={run.percent ?? 0} size="small" /> : null}
              {run.error ? (
                <Text as="p" tone="critical">
                  {run.error}
                </Text>
              ) : null}
            </BlockStack>
          ) : (
            <Text as="p" tone="subdued">
              {t("settings.backfill.never")}
            </Text>
          )}
          <InlineStack align="end">
            <Button
              onClick={() => backfillFetcher.submit({ intent: "start-backfill", backfillDays: values.backfillDays }, { method: "post" })}
              loading={backfillFetcher.state !== "idle"}
              disabled={run?.active ?? false}
            >
              {run?.active ? t("settings.backfill.running") : t("settings.backfill.start")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}

// Carries Shopify's "retry with a fresh session token" header on a 401, so App Bridge retries
// data requests for this page alone (in-app navigation does not reload the parent layout).
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
