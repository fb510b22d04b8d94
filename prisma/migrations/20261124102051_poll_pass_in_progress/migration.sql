-- AlterTable
ALTER TABLE "ProviderAccount" ADD COLUMN "pollPassStartedAt" DATETIME;
