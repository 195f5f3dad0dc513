// The stack rules: guarantees that span resources, on every cloud.
import type { StackValidationPolicy } from "@pulumi/policy";
import { awsStackPolicies } from "../aws";
import { archiveLockedAndKeyed } from "./archiveProtected";
import { archiveAuditLogging } from "./auditLogging";
import { ingestorDeadLetters } from "./deadLetters";
import { nothingAnonymous } from "./noAnonymous";
import { primaryArchiveReplicated } from "./replication";
import { retentionLockPending } from "./lockPending";
import { retentionFloor } from "./retentionFloor";
import { replicationSuspended } from "./replicationSuspended";
import { sandboxNotForRecords } from "./sandbox";

export const stackPolicies: StackValidationPolicy[] = [archiveLockedAndKeyed, retentionFloor, archiveAuditLogging, primaryArchiveReplicated, ingestorDeadLetters, nothingAnonymous, retentionLockPending, replicationSuspended, sandboxNotForRecords, ...awsStackPolicies];
