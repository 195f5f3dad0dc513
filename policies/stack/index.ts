// The stack rules: guarantees that span resources, on every cloud.
import type { StackValidationPolicy } from "@pulumi/policy";
import { archiveLockedAndKeyed } from "./archiveProtected";
import { archiveAuditLogging } from "./auditLogging";
import { ingestorDeadLetters } from "./deadLetters";
import { nothingAnonymous } from "./noAnonymous";
import { primaryArchiveReplicated } from "./replication";
import { retentionLockPending } from "./lockPending";
import { retentionFloor } from "./retentionFloor";
import { replicationSuspended } from "./replicationSuspended";

export const stackPolicies: StackValidationPolicy[] = [archiveLockedAndKeyed, retentionFloor, archiveAuditLogging, primaryArchiveReplicated, ingestorDeadLetters, nothingAnonymous, retentionLockPending, replicationSuspended];
