import type { TransactionClient } from "~/db/database.server";

/**
 * Per-shop counts by status, changed in the same transaction as the shipments themselves so the
 * dashboard never has to count a million rows and never disagrees with them.
 */
export async function adjustStatusCount(tx: TransactionClient, shopId: string, status: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.shipmentStatusCount.upsert({
    where: { shopId_status: { shopId, status } },
    create: { shopId, status, count: delta },
    update: { count: { increment: delta } },
  });
}

export async function moveStatusCount(tx: TransactionClient, shopId: string, from: string, to: string): Promise<void> {
  if (from === to) return;
  await adjustStatusCount(tx, shopId, from, -1);
  await adjustStatusCount(tx, shopId, to, 1);
}
