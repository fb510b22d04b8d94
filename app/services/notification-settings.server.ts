import { z } from "zod";
import { MILESTONES, MILESTONE_ENABLED_BY_DEFAULT, type Milestone } from "~/domain/notification-milestones";
import type { ShopNotificationSettings } from "~/generated/prisma-sqlite/client";
import type { ServiceContext } from "./context.server";

/**
 * How a shop talks to its customers and to Shopify about shipments: which milestones e-mail the
 * customer (with the merchant's own subject and intro), sender and branding, write-back to
 * Shopify and the staff digest. A shop that never saved settings gets the defaults; a milestone
 * the merchant never touched follows `MILESTONE_ENABLED_BY_DEFAULT`.
 */

export interface MilestoneEmailSettings {
  enabled: boolean;
  /** The merchant's own subject/intro, or null for the default text in the customer's language. */
  subject: string | null;
  intro: string | null;
}

export interface NotificationSettings {
  milestones: Record<Milestone, MilestoneEmailSettings>;
  senderName: string | null;
  replyTo: string | null;
  logoUrl: string | null;
  accentColor: string | null;
  maxEventAgeHours: number;
  emailsPerMinute: number;
  shopifyWriteBack: boolean;
  staffDigestEnabled: boolean;
  staffEmail: string | null;
  lastDigestDate: string | null;
}

export const DEFAULT_MAX_EVENT_AGE_HOURS = 72;
export const DEFAULT_EMAILS_PER_MINUTE = 60;

const storedMilestone = z.object({
  enabled: z.boolean().optional(),
  subject: z.string().nullable().optional(),
  intro: z.string().nullable().optional(),
});

/** Settings from the stored row (or its absence); a damaged milestones JSON falls back to the defaults. */
export function notificationSettingsFromRow(row: ShopNotificationSettings | null): NotificationSettings {
  let stored: Record<string, unknown> = {};
  if (row?.milestones) {
    try {
      const parsed: unknown = JSON.parse(row.milestones);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
    } catch {
      stored = {};
    }
  }
  const milestones = Object.fromEntries(
    MILESTONES.map((milestone) => {
      const parsed = storedMilestone.safeParse(stored[milestone]);
      const value = parsed.success ? parsed.data : {};
      return [milestone, { enabled: value.enabled ?? MILESTONE_ENABLED_BY_DEFAULT[milestone], subject: value.subject || null, intro: value.intro || null }];
    }),
  ) as Record<Milestone, MilestoneEmailSettings>;
  return {
    milestones,
    senderName: row?.senderName ?? null,
    replyTo: row?.replyTo ?? null,
    logoUrl: row?.logoUrl ?? null,
    accentColor: row?.accentColor ?? null,
    maxEventAgeHours: row?.maxEventAgeHours ?? DEFAULT_MAX_EVENT_AGE_HOURS,
    emailsPerMinute: row?.emailsPerMinute ?? DEFAULT_EMAILS_PER_MINUTE,
    shopifyWriteBack: row?.shopifyWriteBack ?? true,
    staffDigestEnabled: row?.staffDigestEnabled ?? true,
    staffEmail: row?.staffEmail ?? null,
    lastDigestDate: row?.lastDigestDate ?? null,
  };
}

export async function loadNotificationSettings(ctx: ServiceContext, shopId: string): Promise<NotificationSettings> {
  return notificationSettingsFromRow(await ctx.db.prisma.shopNotificationSettings.findUnique({ where: { shopId } }));
}

const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), "must be one line");
const emptyToNull = <T extends z.ZodType<string>>(schema: T) => z.union([z.literal("").transform(() => null), schema, z.null()]);

const milestoneInput = z.object({
  enabled: z.boolean().optional(),
  subject: emptyToNull(singleLine(200)).optional(),
  intro: emptyToNull(z.string().trim().max(1_000)).optional(),
});

/** What the settings page may change; every field optional (only what is given changes). */
export const notificationSettingsInputSchema = z
  .object({
    milestones: z.partialRecord(z.enum(MILESTONES), milestoneInput).optional(),
    // The display name goes into a From header: one line, no characters that end a quoted name.
    senderName: emptyToNull(singleLine(80).refine((value) => !/[<>"\\]/.test(value), "must not contain < > \" or \\")).optional(),
    replyTo: emptyToNull(z.email().max(254)).optional(),
    logoUrl: emptyToNull(z.url({ protocol: /^https$/ }).max(2_000)).optional(),
    accentColor: emptyToNull(z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "must be a colour like #1f5fa6")).optional(),
    maxEventAgeHours: z.coerce.number().int().min(1).max(24 * 30).optional(),
    emailsPerMinute: z.coerce.number().int().min(1).max(10_000).optional(),
    shopifyWriteBack: z.boolean().optional(),
    staffDigestEnabled: z.boolean().optional(),
    staffEmail: emptyToNull(z.email().max(254)).optional(),
  })
  .strict();

export type NotificationSettingsInput = z.input<typeof notificationSettingsInputSchema>;

export type SaveNotificationSettingsResult =
  | { ok: true; settings: NotificationSettings }
  | { ok: false; errors: Array<{ field: string; message: string }> };

/** Validate and store a change; nothing is stored when any field is invalid. */
export async function saveNotificationSettings(ctx: ServiceContext, shopId: string, input: unknown): Promise<SaveNotificationSettingsResult> {
  const parsed = notificationSettingsInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })) };
  }
  const { milestones: milestoneChanges, ...fields } = parsed.data;
  return ctx.db.prisma.$transaction(async (tx) => {
    const row = await tx.shopNotificationSettings.findUnique({ where: { shopId } });
    const current = notificationSettingsFromRow(row);
    const milestones = { ...current.milestones };
    for (const [milestone, change] of Object.entries(milestoneChanges ?? {}) as Array<[Milestone, z.infer<typeof milestoneInput>]>) {
      milestones[milestone] = {
        enabled: change.enabled ?? milestones[milestone].enabled,
        subject: change.subject === undefined ? milestones[milestone].subject : change.subject,
        intro: change.intro === undefined ? milestones[milestone].intro : change.intro,
      };
    }
    const data = { ...fields, milestones: JSON.stringify(milestones) };
    const saved = await tx.shopNotificationSettings.upsert({ where: { shopId }, create: { shopId, ...data }, update: data });
    return { ok: true as const, settings: notificationSettingsFromRow(saved) };
  });
}
