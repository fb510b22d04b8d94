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
import { PROVIDER_IDS, type ProviderId } from "~/domain/tracking-observation";
import { saveProviderConnection, testProviderConnection } from "~/services/provider-connection.server";
import { readSettings, removeProvider, saveGeneralSettings, saveRoutingChoices, startBackfill } from "~/services/settings.server";
import { authenticate } from "~/shopify.server";

/** Every English text of the page, in one place for the string catalogue. */
const STRINGS = {
  title: "Settings",
  providers: {
    heading: "Tracking provider",
    intro: "Tracklight registers your tracking numbers with this provider and receives carrier updates from it.",
    none: "No provider is connected yet. Tracking numbers wait until you connect one.",
    connected: "Connected",
    isDefault: "Default provider",
    keyHint: (hint: string) => `Saved key ends in ${hint.replace(/^•+/, "")}`,
    clientIdHint: (hint: string) => `Saved client ID ends in ${hint.replace(/^•+/, "")}`,
    lastSuccess: (at: string) => `Last successful call: ${formatInstant(at)}`,
    neverSucceeded: "No successful call yet",
    ignoredEvents: (count: number) => `${count} updates received for numbers you no longer track were ignored.`,
    blockedTitle: (provider: string) => `Tracking with ${provider} is paused`,
    disconnect: "Disconnect",
    disconnectTitle: (provider: string) => `Disconnect ${provider}?`,
    disconnectBody: (provider: string) =>
      `The saved ${provider} credentials are deleted. Open shipments move to your other connected provider; if none is left, they wait until you connect one.`,
    cancel: "Cancel",
    choose: "Provider",
    options: [
      { label: "TrackingMore (API v4)", value: "trackingmore:v4" },
      { label: "TrackingMore (API v2, legacy)", value: "trackingmore:v2" },
      { label: "Tracktry", value: "tracktry" },
      { label: "UPS Track Alert", value: "ups:production" },
      { label: "UPS Track Alert – test environment (CIE)", value: "ups:cie" },
    ],
    apiKey: "API key",
    webhookSecret: "Webhook secret",
    webhookSecretHelp: "From TrackingMore's webhook settings; it lets Tracklight check that updates really come from TrackingMore.",
    accountEmail: "TrackingMore account e-mail",
    accountEmailHelp: "API v2 signs its updates with your account e-mail.",
    clientId: "Client ID",
    clientSecret: "Client secret",
    upsHelp: "From your app on developer.ups.com, with the Tracking and Track Alert products.",
    keepBlank: "Saved. Leave blank to keep it.",
    notSaved: "Not saved yet.",
    test: "Test connection",
    save: "Save provider",
    saved: "Provider saved",
  },
  webhook: {
    heading: "TrackingMore webhook",
    help: "Paste this address in TrackingMore under Developer → Webhook so updates arrive as they happen.",
    label: "Webhook URL",
    copy: "Copy",
    copyLabel: "Copy webhook URL",
    copied: "Webhook URL copied",
  },
  routing: {
    heading: "Which provider tracks which carrier",
    defaultProvider: "Default provider",
    defaultHelp: "Tracks every carrier not listed below.",
    upsToUps: "Send UPS numbers to UPS Track Alert",
    upsHelp: "Updates arrive within seconds. Other carriers stay with the default provider.",
    route: (carrier: string) => `${carrier.toUpperCase()} numbers go to`,
    save: "Save routing",
    saved: "Routing saved. Open shipments move to their new provider in the background.",
  },
  general: {
    heading: "Tracking",
    pollInterval: "Check for missed updates after",
    pollIntervalHelp: "A shipment with no update from the provider for this long is asked for again.",
    minutes: "minutes",
    days: "days",
    stuck: "Needs attention when in transit without an update for",
    pending: "Needs attention when still not found after",
    save: "Save",
    discard: "Discard",
    saved: "Settings saved",
  },
  backfill: {
    heading: "Import past orders",
    help: "Reads the tracking numbers of your orders from this many days back. Orders already imported are not doubled.",
    window: "Import orders from the last",
    start: "Start import",
    started: "Import started",
    running: "Importing…",
    states: {
      queued: "Waiting to start",
      waiting_for_shopify: "Shopify is preparing your orders",
      downloading: "Importing orders",
      completed: "Finished",
      failed: "Stopped",
    } as Record<string, string>,
    counts: (orders: number, numbers: number) => `${orders} orders, ${numbers} tracking numbers`,
    never: "No import has run yet.",
  },
  providerNames: { trackingmore: "TrackingMore", tracktry: "Tracktry", ups: "UPS" } as Record<ProviderId, string>,
  invalidRequest: "This request could not be understood. Reload the page and try again.",
} as const;

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
  /** Saved, but something the merchant should know (the provider could not check the key). */
  warning?: string | null;
  /** Field name → what to fix, shown next to the field. */
  fieldErrors: Record<string, string>;
}

export const action = async ({ request }: ActionFunctionArgs): Promise<SettingsActionResult> => {
  const { session } = await authenticate.admin(request);
  const fields = Object.fromEntries(await request.formData());
  const form = formSchema.safeParse(fields);
  if (!form.success) return { intent: null, ok: false, message: STRINGS.invalidRequest, fieldErrors: {} };
  const ctx = appContext();
  const shop = session.shop;
  const input = form.data;
  switch (input.intent) {
    case "test-connection": {
      const parsed = safeConnection(input.connection, fields);
      if (!parsed) return { intent: input.intent, ok: false, message: STRINGS.invalidRequest, fieldErrors: {} };
      const result = await testProviderConnection(ctx, shop, parsed);
      return { intent: input.intent, ok: result.ok, message: result.message, fieldErrors: result.ok ? {} : (result.fieldErrors ?? {}) };
    }
    case "save-provider": {
      const parsed = safeConnection(input.connection, fields);
      if (!parsed) return { intent: input.intent, ok: false, message: STRINGS.invalidRequest, fieldErrors: {} };
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
      return { intent: input.intent, ok: result.ok, message: result.ok ? STRINGS.routing.saved : null, fieldErrors: result.ok ? {} : result.fieldErrors };
    }
    case "save-general": {
      const { intent, ...general } = input;
      const result = await saveGeneralSettings(ctx, shop, general);
      return { intent, ok: result.ok, message: result.ok ? STRINGS.general.saved : null, fieldErrors: result.ok ? {} : result.fieldErrors };
    }
    case "start-backfill": {
      const result = await startBackfill(ctx, shop, { backfillDays: input.backfillDays });
      return { intent: input.intent, ok: result.started, message: result.started ? STRINGS.backfill.started : null, fieldErrors: result.started ? {} : result.fieldErrors };
    }
  }
};

function safeConnection(choice: string, fields: Record<string, FormDataEntryValue>) {
  if (!STRINGS.providers.options.some((option) => option.value === choice)) return null;
  return connectionInput(choice, fields);
}

/** The same text on the server and in the browser (a locale- or zone-dependent format would break hydration). */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

type SettingsData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Settings() {
  const settings = useLoaderData<typeof loader>();
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
    <Page title={STRINGS.title}>
      <Layout>
        {settings.providers
          .filter((account) => account.blocked)
          .map((account) => (
            <Layout.Section key={`blocked-${account.provider}`}>
              <Banner tone="critical" title={STRINGS.providers.blockedTitle(STRINGS.providerNames[account.provider])}>
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

function useToastOnResult(data: SettingsActionResult | undefined, toast: Toast, when: (data: SettingsActionResult) => boolean) {
  useEffect(() => {
    // Once per answer: `data` changes only when a new answer arrives.
    if (data && data.ok && when(data)) toast(data.message);
  }, [data]);
}

function ProviderSection({ settings, toast }: { settings: SettingsData; toast: Toast }) {
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
      helpText={[options.help, stored ? (options.saved ? STRINGS.providers.keepBlank : STRINGS.providers.notSaved) : null].filter(Boolean).join(" ")}
      error={errors[name]}
    />
  );

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {STRINGS.providers.heading}
          </Text>
          <Text as="p" tone="subdued">
            {STRINGS.providers.intro}
          </Text>
        </BlockStack>
        {settings.providers.length === 0 ? <Text as="p">{STRINGS.providers.none}</Text> : null}
        {settings.providers.map((account) => (
          <Box key={account.provider} padding="300" background="bg-surface-secondary" borderRadius="200">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  {STRINGS.providerNames[account.provider]}
                  {account.apiVersion ? ` (API ${account.apiVersion})` : ""}
                  {account.environment === "cie" ? " – CIE" : ""}
                  {settings.routing.defaultProvider === account.provider ? ` · ${STRINGS.providers.isDefault}` : ""}
                </Text>
                {account.keyHint ? (
                  <Text as="p">{account.provider === "ups" ? STRINGS.providers.clientIdHint(account.keyHint) : STRINGS.providers.keyHint(account.keyHint)}</Text>
                ) : null}
                <Text as="p" tone="subdued">
                  {account.lastSuccessAt ? STRINGS.providers.lastSuccess(account.lastSuccessAt) : STRINGS.providers.neverSucceeded}
                </Text>
                {account.ignoredEvents > 0 ? (
                  <Text as="p" tone="subdued">
                    {STRINGS.providers.ignoredEvents(account.ignoredEvents)}
                  </Text>
                ) : null}
              </BlockStack>
              <DisconnectButton provider={account.provider} onConfirm={() => fetcher.submit({ intent: "disconnect-provider", provider: account.provider }, { method: "post" })} />
            </InlineStack>
          </Box>
        ))}
        <FormLayout>
          <Select
            label={STRINGS.providers.choose}
            options={[...STRINGS.providers.options]}
            value={choice}
            onChange={(value) => {
              setChoice(value);
              setFields({});
            }}
          />
          {provider === "ups" ? (
            <>
              {field("clientId", STRINGS.providers.clientId, { saved: Boolean(stored), help: STRINGS.providers.upsHelp })}
              {field("clientSecret", STRINGS.providers.clientSecret, { saved: Boolean(stored?.secretsSaved.clientSecret) })}
            </>
          ) : (
            field("apiKey", STRINGS.providers.apiKey, { saved: Boolean(stored) })
          )}
          {choice === "trackingmore:v4"
            ? field("webhookSecret", STRINGS.providers.webhookSecret, { saved: Boolean(stored?.secretsSaved.webhookSecret), help: STRINGS.providers.webhookSecretHelp })
            : null}
          {choice === "trackingmore:v2"
            ? field("accountEmail", STRINGS.providers.accountEmail, { saved: Boolean(stored?.secretsSaved.accountEmail), help: STRINGS.providers.accountEmailHelp })
            : null}
        </FormLayout>
        {result && (result.intent === "test-connection" || result.intent === "save-provider") && fetcher.state !== "submitting" && result.message ? (
          <Banner tone={result.ok ? (result.warning ? "warning" : "success") : "critical"}>
            <p>{result.warning ?? result.message}</p>
          </Banner>
        ) : null}
        <InlineStack gap="200" align="end">
          <Button onClick={() => submit("test-connection")} loading={busyIntent === "test-connection"}>
            {STRINGS.providers.test}
          </Button>
          <Button variant="primary" onClick={() => submit("save-provider")} loading={busyIntent === "save-provider"}>
            {STRINGS.providers.save}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

/** Disconnecting deletes credentials and moves shipments: the merchant confirms in an App Bridge modal first. */
function DisconnectButton({ provider, onConfirm }: { provider: ProviderId; onConfirm: () => void }) {
  // Mounted only once asked for: nothing of the modal is in the server-rendered page to hydrate.
  const [confirming, setConfirming] = useState(false);
  const name = STRINGS.providerNames[provider];
  return (
    <>
      <Button tone="critical" variant="plain" onClick={() => setConfirming(true)}>
        {STRINGS.providers.disconnect}
      </Button>
      {confirming ? (
        <Modal id={`tracklight-disconnect-${provider}`} open onHide={() => setConfirming(false)}>
          <Box padding="400">
            <BlockStack gap="400">
              <Text as="p">{STRINGS.providers.disconnectBody(name)}</Text>
              <InlineStack gap="200" align="end">
                <Button onClick={() => setConfirming(false)}>{STRINGS.providers.cancel}</Button>
                <Button
                  tone="critical"
                  variant="primary"
                  onClick={() => {
                    onConfirm();
                    setConfirming(false);
                  }}
                >
                  {STRINGS.providers.disconnect}
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
          <TitleBar title={STRINGS.providers.disconnectTitle(name)} />
        </Modal>
      ) : null}
    </>
  );
}

function WebhookSection({ url, toast }: { url: string; toast: Toast }) {
  const copy = () => {
    void navigator.clipboard?.writeText(url).then(() => toast(STRINGS.webhook.copied));
  };
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {STRINGS.webhook.heading}
        </Text>
        <TextField
          label={STRINGS.webhook.label}
          value={url}
          readOnly
          autoComplete="off"
          helpText={STRINGS.webhook.help}
          connectedRight={
            <Button onClick={copy} accessibilityLabel={STRINGS.webhook.copyLabel}>
              {STRINGS.webhook.copy}
            </Button>
          }
        />
      </BlockStack>
    </Card>
  );
}

function RoutingSection({ settings, toast }: { settings: SettingsData; toast: Toast }) {
  const fetcher = useFetcher<typeof action>();
  const connected = settings.providers.map((account) => account.provider);
  const [defaultProvider, setDefaultProvider] = useState<string>(settings.routing.defaultProvider);
  const [upsToUps, setUpsToUps] = useState(settings.routing.carrierProviders.ups === "ups");
  useEffect(() => {
    setDefaultProvider(settings.routing.defaultProvider);
    setUpsToUps(settings.routing.carrierProviders.ups === "ups");
  }, [settings.routing.defaultProvider, settings.routing.carrierProviders.ups]);
  useToastOnResult(fetcher.data, toast, (data) => data.intent === "save-routing");
  const errors = fetcher.data?.intent === "save-routing" ? fetcher.data.fieldErrors : {};
  const otherRoutes = Object.entries(settings.routing.carrierProviders).filter(([carrier]) => carrier !== "ups");

  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="save-routing" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {STRINGS.routing.heading}
          </Text>
          <FormLayout>
            <Select
              label={STRINGS.routing.defaultProvider}
              name="defaultProvider"
              helpText={STRINGS.routing.defaultHelp}
              options={connected.map((provider) => ({ label: STRINGS.providerNames[provider], value: provider }))}
              value={defaultProvider}
              onChange={setDefaultProvider}
              error={errors.defaultProvider}
            />
            {connected.includes("ups") ? (
              <Checkbox
                label={STRINGS.routing.upsToUps}
                name="upsToUps"
                helpText={STRINGS.routing.upsHelp}
                checked={upsToUps}
                onChange={setUpsToUps}
                error={errors["carrierProviders.ups"]}
              />
            ) : null}
            {otherRoutes.map(([carrier, provider]) => (
              <Text as="p" key={carrier}>
                {STRINGS.routing.route(carrier)} {STRINGS.providerNames[provider]}
              </Text>
            ))}
          </FormLayout>
          <InlineStack align="end">
            <Button submit loading={fetcher.state !== "idle"}>
              {STRINGS.routing.save}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

type GeneralFields = { pollIntervalMinutes: string; stuckAfterDays: string; pendingTooLongDays: string; backfillDays: string };

function GeneralAndBackfillSections({ settings, toast }: { settings: SettingsData; toast: Toast }) {
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

  useToastOnResult(generalFetcher.data, toast, (data) => data.intent === "save-general");
  useToastOnResult(backfillFetcher.data, toast, (data) => data.intent === "start-backfill");
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
            {STRINGS.general.heading}
          </Text>
          <FormLayout>
            {number("pollIntervalMinutes", STRINGS.general.pollInterval, STRINGS.general.minutes, STRINGS.general.pollIntervalHelp)}
            <FormLayout.Group>
              {number("stuckAfterDays", STRINGS.general.stuck, STRINGS.general.days)}
              {number("pendingTooLongDays", STRINGS.general.pending, STRINGS.general.days)}
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end" gap="200">
            <Button onClick={discard} disabled={!dirty}>
              {STRINGS.general.discard}
            </Button>
            <Button variant="primary" onClick={save} disabled={!dirty} loading={generalFetcher.state !== "idle"}>
              {STRINGS.general.save}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {STRINGS.backfill.heading}
          </Text>
          <Text as="p" tone="subdued">
            {STRINGS.backfill.help}
          </Text>
          {number("backfillDays", STRINGS.backfill.window, STRINGS.general.days)}
          {backfillErrors.backfill ? (
            <Banner tone="warning">
              <p>{backfillErrors.backfill}</p>
            </Banner>
          ) : null}
          {run ? (
            <BlockStack gap="100">
              <Text as="p">
                {STRINGS.backfill.states[run.state] ?? run.state}: {STRINGS.backfill.counts(run.ordersProcessed, run.trackingNumbersFound)}
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
              {STRINGS.backfill.never}
            </Text>
          )}
          <InlineStack align="end">
            <Button
              onClick={() => backfillFetcher.submit({ intent: "start-backfill", backfillDays: values.backfillDays }, { method: "post" })}
              loading={backfillFetcher.state !== "idle"}
              disabled={run?.active ?? false}
            >
              {run?.active ? STRINGS.backfill.running : STRINGS.backfill.start}
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
