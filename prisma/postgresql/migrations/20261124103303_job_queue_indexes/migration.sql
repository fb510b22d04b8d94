-- DropIndex
DROP INDEX "Job_state_lockedUntilMs_idx";
