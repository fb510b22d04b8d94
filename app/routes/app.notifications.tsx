import { boundary } from "@shopify/shopify-app-remix/server";
import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { z } from "zod";
import { appContext } from "~/context.server";
import { MILESTONES, type Milestone } from "~/domain/notification-milestones";
import { customerEmailTranslator } from "~/email/catalogue";
import { EMAIL_PLACEHOLDERS } from "~/email/customer-email";
import { readBodyWithLimit } from "~/http/request-body.server";
import type { MessageKey } from "~/i18n/catalogue";
import { useT } from "~/i18n/react";
import { previewCustomerEmail, sendTestEmail } from "~/services/email-preview.server";
import { loadNotificationSettings, saveNotificationSettings, type NotificationSettings } from "~/services/notification-settings.server";
import { shopIdForDomain } from "~/services/shipment-index.server";
import { authenticate } from "~/shopify.server";

/** What the page edits: every field as the form holds it (text fields as typed). */
interface FormValues {
  milestones: Record<Milestone, { enabled: boolean; subject: string; intro: string }>;
  senderName: string;
  replyTo: string;
  logoUrl: string;
  accentColor: string;
  maxEventAgeHours: string;
  emailsPerMinute: string;
  shopifyWriteBack: boolean;
  staffDigestEnabled: boolean;
  staffEmail: string;
}

function formValues(settings: NotificationSettings): FormValues {
  return {
    milestones: Object.fromEntries(
      MILESTONES.map((milestone) => {
        const value = settings.milestones[milestone];
        return [milestone, { enabled: value.enabled, subject: value.subject ?? "", intro: value.intro ?? "" }];
      }),
    ) as FormValues["milestones"],
    senderName: settings.senderName ?? "",
    replyTo: settings.replyTo ?? "",
    logoUrl: settings.logoUrl ?? "",
    accentColor: settings.accentColor ?? "",
    maxEventAgeHours: String(settings.maxEventAgeHours),
    emailsPerMinute: String(settings.emailsPerMinute),
    shopifyWriteBack: settings.shopifyWriteBack,
    staffDigestEnabled: settings.staffDigestEnabled,
    staffEmail: settings.staffEmail ?? "",
  };
}

type TextFieldName = { [K in keyof FormValues]: FormValues[K] extends string ? K : never }[keyof FormValues];

const FIRST_PREVIEW: Milestone = "out_for_delivery";
/** Every field at its longest is about 10 KB. */
const MAX_BODY_BYTES = 64 * 1024;

async function sessionShopId(request: Request): Promise<string> {
  const { session } = await authenticate.admin(request);
  const shopId = await shopIdForDomain(appContext(), session.shop);
  if (!shopId) throw new Response("Not found", { status: 404 });
  return shopId;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shopId = await sessionShopId(request);
  const ctx = appContext();
  const settings = await loadNotificationSettings(ctx, shopId);
  const preview = await previewCustomerEmail(ctx, shopId, { milestone: FIRST_PREVIEW, changes: {} });
  return { values: formValues(settings), preview: { milestone: FIRST_PREVIEW, ...preview } };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.strictObject({ intent: z.literal("save"), settings: z.unknown() }),
  z.strictObject({ intent: z.literal("preview"), milestone: z.enum(MILESTONES), settings: z.unknown() }),
  z.strictObject({ intent: z.literal("test"), milestone: z.enum(MILESTONES), to: z.string().max(254), settings: z.unknown() }),
]);

/** A stored field's validation problem in the merchant's words (the catalogue key). */
function fieldErrorKey(field: string): MessageKey {
  if (field === "replyTo" || field === "staffEmail") return "emails.settings.errors.email";
  if (field.endsWith(".subject")) return "emails.settings.errors.subject";
  if (field.endsWith(".intro")) return "emails.settings.errors.intro";
  const known = ["logoUrl", "accentColor", "senderName", "maxEventAgeHours", "emailsPerMinute"] as const;
  const match = known.find((name) => name === field);
  return match ? `emails.settings.errors.${match}` : "emails.settings.invalidRequest";
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const shopId = await sessionShopId(request);
  let body: unknown;
  try {
    body = JSON.parse(await readBodyWithLimit(request, MAX_BODY_BYTES));
  } catch (error) {
    if (error instanceof Response) throw error;
    return data({ intent: null, ok: false as const, error: "invalid_request" as const }, { status: 400 });
  }
  const parsed = actionSchema.safeParse(body);
  if (!parsed.success) return data({ intent: null, ok: false as const, error: "invalid_request" as const }, { status: 400 });
  const ctx = appContext();
  const input = parsed.data;
  switch (input.intent) {
    case "save": {
      const result = await saveNotificationSettings(ctx, shopId, input.settings);
      if (result.ok) return { intent: "save" as const, ok: true as const, values: formValues(result.settings) };
      const fieldErrors: Record<string, MessageKey> = {};
      for (const error of result.errors) fieldErrors[error.field || "form"] = fieldErrorKey(error.field);
      // A form the merchant can correct: answered like any other result (a 4xx would be a failed load in the browser).
      return { intent: "save" as const, ok: false as const, fieldErrors };
    }
    case "preview":
      return { intent: "preview" as const, ok: true as const, preview: { milestone: input.milestone, ...(await previewCustomerEmail(ctx, shopId, { milestone: input.milestone, changes: input.settings })) } };
    case "test": {
      const to = z.email().safeParse(input.to.trim());
      if (!to.success) return { intent: "test" as const, ok: false as const, reason: "invalid_email" as const };
      const outcome = await sendTestEmail(ctx, shopId, { to: to.data, milestone: input.milestone, changes: input.settings });
      return { intent: "test" as const, ...outcome };
    }
  }
};

// A preview or a test e-mail changes nothing stored: the page's data is read again only after a save.
export const shouldRevalidate: ShouldRevalidateFunction = ({ json, defaultShouldRevalidate }) => {
  const intent = json && typeof json === "object" ? (json as { intent?: unknown }).intent : undefined;
  return intent === "preview" || intent === "test" ? false : defaultShouldRevalidate;
};

const jsonSubmit = { method: "post", encType: "application/json" } as const;

/** App Bridge's toast: the `shopify` global inside Shopify admin; absent elsewhere. */
function showToast(message: string): void {
  const appBridge = (globalThis as { shopify?: { toast?: { show(message: string): void } } }).shopify;
  appBridge?.toast?.show(message);
}

export default function NotificationsPage() {
  const loaded = useLoaderData<typeof loader>();
  const t = useT();
  const saveFetcher = useFetcher<typeof action>();
  const previewFetcher = useFetcher<typeof action>();
  const testFetcher = useFetcher<typeof action>();

  const [saved, setSaved] = useState<FormValues>(loaded.values);
  const [values, setValues] = useState<FormValues>(loaded.values);
  useEffect(() => {
    setSaved(loaded.values);
    setValues(loaded.values);
  }, [loaded.values]);
  const dirty = JSON.stringify(values) !== JSON.stringify(saved);

  const saveResult = saveFetcher.data?.intent === "save" ? saveFetcher.data : undefined;
  const fieldErrors: Record<string, MessageKey> = saveResult && !saveResult.ok && "fieldErrors" in saveResult ? saveResult.fieldErrors : {};
  const errorFor = (field: string) => (fieldErrors[field] ? t(fieldErrors[field]) : undefined);
  useEffect(() => {
    // Once per answer: the data object changes only when a new answer arrives.
    if (saveResult?.ok) showToast(t("emails.settings.saved"));
  }, [saveResult]);

  const save = () => saveFetcher.submit({ intent: "save", settings: { ...values } } as never, jsonSubmit);
  const discard = () => setValues(saved);
  const setField = <K extends keyof FormValues>(name: K, value: FormValues[K]) => setValues((current) => ({ ...current, [name]: value }));
  const setMilestone = (milestone: Milestone, change: Partial<FormValues["milestones"][Milestone]>) =>
    setValues((current) => ({ ...current, milestones: { ...current.milestones, [milestone]: { ...current.milestones[milestone], ...change } } }));

  // --- preview: the chosen milestone with the page's values, a moment after the merchant stops typing ---
  const [previewMilestone, setPreviewMilestone] = useState<Milestone>(loaded.preview.milestone);
  const previewInputs = JSON.stringify({
    milestone: previewMilestone,
    texts: values.milestones[previewMilestone],
    senderName: values.senderName,
    logoUrl: values.logoUrl,
    accentColor: values.accentColor,
  });
  const firstPreview = useRef(previewInputs);
  useEffect(() => {
    if (previewInputs === firstPreview.current) return;
    firstPreview.current = "";
    const timer = setTimeout(() => previewFetcher.submit({ intent: "preview", milestone: previewMilestone, settings: { ...values } } as never, jsonSubmit), 300);
    return () => clearTimeout(timer);
  }, [previewInputs]);
  const preview = previewFetcher.data?.intent === "preview" && "preview" in previewFetcher.data ? previewFetcher.data.preview : loaded.preview;

  // --- test e-mail ---
  const [testTo, setTestTo] = useState(loaded.values.staffEmail);
  const testResult = testFetcher.data?.intent === "test" && testFetcher.state === "idle" ? testFetcher.data : undefined;
  useEffect(() => {
    if (testResult?.ok && "to" in testResult) showToast(t("emails.testEmail.sent", { email: testResult.to }));
  }, [testResult]);
  const sendTest = () => testFetcher.submit({ intent: "test", to: testTo, milestone: previewMilestone, settings: { ...values } } as never, jsonSubmit);

  const milestoneName = (milestone: Milestone) => t(`emails.milestones.${milestone}`);
  const defaults = useMemo(() => customerEmailTranslator("en"), []);
  const placeholders = EMAIL_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");
  const busy = saveFetcher.state !== "idle";
  const textField = (name: TextFieldName, label: string, options: { type?: "email" | "url" | "number"; help?: string; suffix?: string; autoComplete?: string } = {}) => (
    <TextField
      label={label}
      type={options.type}
      autoComplete={options.autoComplete ?? "off"}
      suffix={options.suffix}
      value={values[name]}
      onChange={(value) => setField(name, value)}
      helpText={options.help}
      error={errorFor(name)}
    />
  );

  return (
    <Page title={t("emails.settings.title")}>
      <SaveBar id="tracklight-notifications-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={busy}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {saveResult && !saveResult.ok ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{"error" in saveResult ? t("emails.settings.invalidRequest") : t("emails.settings.notSaved")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="400">
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("emails.settings.customerHeading")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("emails.settings.customerIntro")}
                  </Text>
                </BlockStack>
                {MILESTONES.map((milestone) => {
                  const value = values.milestones[milestone];
                  return (
                    <Box key={milestone} padding="300" background="bg-surface-secondary" borderRadius="200">
                      <BlockStack gap="200">
                        <InlineStack align="space-between" blockAlign="center" gap="200">
                          <Checkbox label={t("emails.settings.send", { milestone: milestoneName(milestone) })} checked={value.enabled} onChange={(enabled) => setMilestone(milestone, { enabled })} />
                          <Button variant="plain" onClick={() => setPreviewMilestone(milestone)} accessibilityLabel={`${t("emails.settings.preview")}: ${milestoneName(milestone)}`} pressed={previewMilestone === milestone}>
                            {t("emails.settings.preview")}
                          </Button>
                        </InlineStack>
                        <FormLayout>
                          <TextField
                            label={`${t("emails.settings.subject")} (${milestoneName(milestone)})`}
                            autoComplete="off"
                            value={value.subject}
                            placeholder={defaults(`milestone.${milestone}.subject`)}
                            onChange={(subject) => setMilestone(milestone, { subject })}
                            error={errorFor(`milestones.${milestone}.subject`)}
                          />
                          <TextField
                            label={`${t("emails.settings.intro")} (${milestoneName(milestone)})`}
                            autoComplete="off"
                            multiline={2}
                            value={value.intro}
                            placeholder={defaults(`milestone.${milestone}.intro`)}
                            onChange={(intro) => setMilestone(milestone, { intro })}
                            error={errorFor(`milestones.${milestone}.intro`)}
                            helpText={t("emails.settings.textsHelp", { placeholders })}
                          />
                        </FormLayout>
                      </BlockStack>
                    </Box>
                  );
                })}
              </BlockStack>
            </Card>
            <Section heading={t("emails.settings.senderHeading")}>
              <FormLayout>
                {textField("senderName", t("emails.settings.senderName"), { help: t("emails.settings.senderNameHelp") })}
                {textField("replyTo", t("emails.settings.replyTo"), { type: "email", help: t("emails.settings.replyToHelp") })}
                {textField("logoUrl", t("emails.settings.logoUrl"), { type: "url", help: t("emails.settings.logoUrlHelp") })}
                {textField("accentColor", t("emails.settings.accentColor"), { help: t("emails.settings.accentColorHelp") })}
              </FormLayout>
            </Section>
            <Section heading={t("emails.settings.sendingHeading")}>
              <FormLayout>
                {textField("maxEventAgeHours", t("emails.settings.maxEventAge"), { type: "number", suffix: t("emails.settings.hours"), help: t("emails.settings.maxEventAgeHelp") })}
                {textField("emailsPerMinute", t("emails.settings.emailsPerMinute"), { type: "number", suffix: t("emails.settings.emailsPerMinuteSuffix") })}
              </FormLayout>
            </Section>
            <Section heading={t("emails.settings.shopifyHeading")}>
              <Checkbox label={t("emails.writeBack.label")} helpText={t("emails.writeBack.help")} checked={values.shopifyWriteBack} onChange={(value) => setField("shopifyWriteBack", value)} />
              <Banner tone="info">
                <p>{t("emails.writeBack.shopifyNotifications")}</p>
              </Banner>
            </Section>
            <Section heading={t("emails.settings.digestHeading")}>
              <Checkbox label={t("emails.settings.digestEnabled")} helpText={t("emails.settings.digestHelp")} checked={values.staffDigestEnabled} onChange={(value) => setField("staffDigestEnabled", value)} />
              {textField("staffEmail", t("emails.settings.staffEmail"), { type: "email", autoComplete: "email", help: t("emails.settings.staffEmailHelp") })}
            </Section>
            <InlineStack align="end" gap="200">
              <Button onClick={discard} disabled={!dirty}>
                {t("emails.settings.discard")}
              </Button>
              <Button variant="primary" onClick={save} disabled={!dirty} loading={busy}>
                {t("emails.settings.save")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Section heading={t("emails.preview.heading")}>
              <Text as="p" tone="subdued">
                {t("emails.preview.help")}
              </Text>
              <Select
                label={t("emails.preview.milestone")}
                options={MILESTONES.map((milestone) => ({ label: milestoneName(milestone), value: milestone }))}
                value={previewMilestone}
                onChange={(value) => setPreviewMilestone(value as Milestone)}
              />
              <Text as="p" fontWeight="semibold">
                <span data-testid="preview-subject">{t("emails.preview.subject", { subject: preview.subject })}</span>
              </Text>
              {/* The e-mail as a mail client shows it: its own document, no scripts, no access to this page. */}
              <iframe
                title={t("emails.preview.frameTitle", { milestone: milestoneName(preview.milestone) })}
                sandbox=""
                srcDoc={preview.html}
                style={{ width: "100%", height: "560px", border: "1px solid #e1e3e5", borderRadius: "8px", background: "#f4f6f8" }}
              />
              <details>
                <summary>{t("emails.preview.plainText")}</summary>
                <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                  <pre style={{ whiteSpace: "pre-wrap", margin: 0, fontSize: "12px" }} data-testid="preview-text">
                    {preview.text}
                  </pre>
                </Box>
              </details>
            </Section>
            <Section heading={t("emails.testEmail.heading")}>
              <TextField
                label={t("emails.testEmail.to")}
                type="email"
                autoComplete="email"
                value={testTo}
                onChange={setTestTo}
                helpText={t("emails.testEmail.help")}
                error={testResult && !testResult.ok && "reason" in testResult && testResult.reason === "invalid_email" ? t("emails.testEmail.invalidEmail") : undefined}
              />
              {testResult && !testResult.ok && "reason" in testResult ? <TestEmailProblem result={testResult} /> : null}
              <InlineStack align="end">
                <Button onClick={sendTest} loading={testFetcher.state !== "idle"}>
                  {t("emails.testEmail.send")}
                </Button>
              </InlineStack>
            </Section>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Section({ heading, children }: { heading: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {heading}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

function TestEmailProblem({ result }: { result: { reason: string; retryAfterMs?: number; message?: string } }) {
  const t = useT();
  switch (result.reason) {
    case "rate_limited":
      return (
        <Banner tone="warning">
          <p>{t("emails.testEmail.rateLimited", { minutes: Math.max(1, Math.ceil((result.retryAfterMs ?? 60_000) / 60_000)) })}</p>
        </Banner>
      );
    case "not_configured":
      return (
        <Banner tone="critical" title={t("emails.testEmail.failedTitle")}>
          <p>{t("emails.testEmail.notConfigured")}</p>
        </Banner>
      );
    case "smtp_failed":
      return (
        <Banner tone="critical" title={t("emails.testEmail.failedTitle")}>
          <p>{t("emails.testEmail.failed", { error: result.message ?? "" })}</p>
          <p>{t("emails.testEmail.failedAdvice")}</p>
        </Banner>
      );
    default:
      return null;
  }
}

// Carries Shopify's "retry with a fresh session token" header on a 401, so App Bridge retries
// data requests for this page alone (in-app navigation does not reload the parent layout).
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
