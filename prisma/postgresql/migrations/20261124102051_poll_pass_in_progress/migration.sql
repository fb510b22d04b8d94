-- AlterTable
ALTER TABLE "ProviderAccount" ADD COLUMN     "pollPassStartedAt" TIMESTAMP(3);
