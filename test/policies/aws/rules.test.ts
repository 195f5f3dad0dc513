// Every AWS resource rule: a compliant resource passes, and each way of breaking it fails with
// a message naming the resource, the property, the value found and the fix.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { archiveBucketProtected } from "../../../policies/aws/archiveBucket";
import { bucketEncrypted } from "../../../policies/aws/bucketEncryption";
import { bucketTlsOnly } from "../../../policies/aws/bucketTls";
import { noDestructiveActions } from "../../../policies/aws/destructiveActions";
import { functionUrlAuthenticated } from "../../../policies/aws/functionUrl";
import { keyAdminsNoData } from "../../../policies/aws/keyPolicy";
import { keyRotation } from "../../../policies/aws/keyRotation";
import { lambdaHardened } from "../../../policies/aws/lambda";
import { logGroupProtected } from "../../../policies/aws/logGroup";
import { noBroadManagedPolicies } from "../../../policies/aws/managedPolicies";
import { bucketOwnerEnforced } from "../../../policies/aws/ownership";
import { peopleNeedMfa } from "../../../policies/aws/peopleMfa";
import { noWildcardsOrAnonymous } from "../../../policies/aws/policyDocuments";
import { publicAccessBlocked } from "../../../policies/aws/publicAccess";
import { queueEncrypted } from "../../../policies/aws/queueEncryption";
import { sesReceiptSecure } from "../../../policies/aws/sesReceipt";
import { topicEncrypted } from "../../../policies/aws/topicEncryption";
import { trailIntegrity } from "../../../policies/aws/trail";
import { versioningEnabled } from "../../../policies/aws/versioning";
import { resourceWildcardOnlyWhereRequired, WILDCARD_ONLY_ACTIONS } from "../../../policies/aws/wildcardResources";
import { UNKNOWN } from "../../../infra/policyCheck/evaluate";
import { changed, type Fixture, policyDoc, REMOVE, resourceMessages } from "../helpers";

const KEY = "arn:aws:kms:us-east-1:111122223333:key/0b2e7e0c-1a2b-4c3d-9e8f-123456789abc";
const BUCKET = "arn:aws:s3:::ej-archive-111122223333-us-east-1-aws-us-east-1";
const tlsDenials = [
  { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
  { Sid: "DenyTlsBelow12", Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: [BUCKET, `${BUCKET}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
];
const ROOT = "arn:aws:iam::111122223333:root";
/** A key policy as the program writes it: administration delegated to the account, use only through a service. */
const keyPolicy = (...extra: object[]) =>
  policyDoc(
    { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: ROOT }, Action: ["kms:DescribeKey", "kms:PutKeyPolicy"], Resource: "*" },
    { Sid: "ThroughBackup", Effect: "Allow", Principal: { AWS: ROOT }, Action: ["kms:CreateGrant", "kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:ViaService": "backup.us-east-1.amazonaws.com" } } },
    { Sid: "BreakGlass", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/archive-break-glass" }, Action: ["kms:ScheduleKeyDeletion"], Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
    ...extra,
  );
const ingestorPolicy = (...actions: string[]) => policyDoc({ Sid: "Archive", Effect: "Allow", Action: ["s3:PutObject", ...actions], Resource: `${BUCKET}/*` });
const trust = (condition?: object) => policyDoc({ Sid: "AssumeRole", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/compliance-auditor"] }, Action: ["sts:AssumeRole"], ...(condition ? { Condition: condition } : {}) });

/** [rule, compliant resource, ...breaks as [path, value, text the single message must contain]]. */
type Case = [ResourceValidationPolicy, Fixture, ...[string, unknown, string][]];

const cases: Case[] = [
  [
    archiveBucketProtected,
    { type: "aws:s3/bucket:Bucket", inputs: { bucket: "b", objectLockEnabled: true, forceDestroy: false, tags: { "journal-store": "archive", role: "primary" } } },
    ["objectLockEnabled", false, "objectLockEnabled is false; set true"],
    ["forceDestroy", true, "forceDestroy is true; set false"],
  ],
  [versioningEnabled, { type: "aws:s3/bucketVersioning:BucketVersioning", inputs: { bucket: "b", versioningConfiguration: { status: "Enabled" } } }, ["versioningConfiguration.status", "Suspended", 'versioningConfiguration.status is "Suspended"']],
  [
    keyRotation,
    { type: "aws:kms/key:Key", inputs: { enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30 } },
    ["enableKeyRotation", false, "enableKeyRotation is false; set true"],
    ["rotationPeriodInDays", 730, "rotationPeriodInDays is 730; set at most 365"],
    ["deletionWindowInDays", 7, "deletionWindowInDays is 7; set 30"],
  ],
  [
    bucketEncrypted,
    { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", inputs: { bucket: "b", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true }] } },
    ["rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", "alias/aws/s3", 'kmsMasterKeyId is "alias/aws/s3"; name the stack\'s customer-managed KMS key'],
    ["rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", REMOVE, "kmsMasterKeyId is not set"],
    ["rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "none", 'sseAlgorithm is "none"'],
    ["rules", [], "rules is []"],
  ],
  [queueEncrypted, { type: "aws:sqs/queue:Queue", inputs: { kmsMasterKeyId: KEY } }, ["kmsMasterKeyId", "alias/aws/sqs", 'kmsMasterKeyId is "alias/aws/sqs"'], ["kmsMasterKeyId", REMOVE, "kmsMasterKeyId is not set"]],
  [topicEncrypted, { type: "aws:sns/topic:Topic", inputs: { kmsMasterKeyId: KEY } }, ["kmsMasterKeyId", REMOVE, "kmsMasterKeyId is not set; name the stack's KMS key"]],
  [
    bucketTlsOnly,
    { type: "aws:s3/bucketPolicy:BucketPolicy", inputs: { bucket: "b", policy: policyDoc(...tlsDenials) } },
    ["policy", policyDoc(tlsDenials[1]), "without a Deny of s3:* when aws:SecureTransport is false"],
    ["policy", policyDoc(tlsDenials[0]), "without a Deny on s3:TlsVersion"],
    ["policy", policyDoc(tlsDenials[0], { ...tlsDenials[1], Condition: { NumericLessThan: { "s3:TlsVersion": "1.0" } } }), "denying TLS below 1 only"],
  ],
  [
    sesReceiptSecure,
    { type: "aws:ses/receiptRule:ReceiptRule", inputs: { tlsPolicy: "Require", scanEnabled: true } },
    ["tlsPolicy", "Optional", 'tlsPolicy is "Optional"; set "Require"'],
    ["scanEnabled", false, "scanEnabled is false"],
  ],
  [
    publicAccessBlocked,
    { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", inputs: { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } },
    ["blockPublicAcls", false, "blockPublicAcls is false; set true"],
    ["blockPublicPolicy", REMOVE, "blockPublicPolicy is not set; set true"],
    ["ignorePublicAcls", false, "ignorePublicAcls is false"],
    ["restrictPublicBuckets", false, "restrictPublicBuckets is false"],
  ],
  [bucketOwnerEnforced, { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", inputs: { bucket: "b", rule: { objectOwnership: "BucketOwnerEnforced" } } }, ["rule.objectOwnership", "ObjectWriter", 'rule.objectOwnership is "ObjectWriter"']],
  [functionUrlAuthenticated, { type: "aws:lambda/functionUrl:FunctionUrl", inputs: { authorizationType: "AWS_IAM" } }, ["authorizationType", "NONE", 'authorizationType is "NONE"; set "AWS_IAM"']],
  [
    noWildcardsOrAnonymous,
    { type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "r", policy: ingestorPolicy() } },
    ["policy", ingestorPolicy("s3:*"), 'policy: Archive: wildcard action "s3:*"'],
    ["policy", policyDoc({ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: `${BUCKET}/*` }), 'policy: Anyone: allows any principal ("*")'],
  ],
  [noDestructiveActions, { type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "r", policy: ingestorPolicy() } }, ["policy", ingestorPolicy("s3:DeleteObjectVersion"), 'policy Archive Action is ["s3:DeleteObjectVersion"]; remove these actions']],
  [noBroadManagedPolicies, { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs: { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForS3Backup" } }, ["policyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess", "AmazonS3FullAccess\"; write an inline policy"]],
  [
    peopleNeedMfa,
    { type: "aws:iam/role:Role", inputs: { assumeRolePolicy: trust({ Bool: { "aws:MultiFactorAuthPresent": "true" } }) } },
    ["assumeRolePolicy", trust(), 'assumeRolePolicy AssumeRole Condition.Bool["aws:MultiFactorAuthPresent"] is not set'],
    ["assumeRolePolicy", trust({ Bool: { "aws:MultiFactorAuthPresent": "false" } }), 'is "false"; add Condition'],
  ],
  [
    trailIntegrity,
    { type: "aws:cloudtrail/trail:Trail", inputs: { enableLogFileValidation: true, kmsKeyId: KEY, isMultiRegionTrail: true } },
    ["enableLogFileValidation", false, "enableLogFileValidation is false; set true"],
    ["kmsKeyId", REMOVE, "kmsKeyId is not set"],
    ["isMultiRegionTrail", false, "isMultiRegionTrail is false"],
    ["enableLogging", false, "enableLogging is false"],
    ["advancedEventSelectors", [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }], "without a selector of every management event"],
    ["advancedEventSelectors", [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }] }], "without a selector of every management event"],
    ["eventSelectors", [{ includeManagementEvents: false }], "without a selector of every management event"],
  ],
  [
    logGroupProtected,
    { type: "aws:cloudwatch/logGroup:LogGroup", inputs: { kmsKeyId: KEY, retentionInDays: 2557 } },
    ["kmsKeyId", REMOVE, "kmsKeyId is not set"],
    ["retentionInDays", 30, "retentionInDays is 30; set at least 365"],
  ],
  [
    keyAdminsNoData,
    { type: "aws:kms/key:Key", inputs: { enableKeyRotation: true, policy: keyPolicy() } },
    ["policy", keyPolicy({ Sid: "Admins", Effect: "Allow", Principal: { AWS: ROOT }, Action: ["kms:DescribeKey", "kms:Decrypt"], Resource: "*" }), 'policy Admins Action is ["kms:Decrypt"]; grant these to the account only with a kms:ViaService condition'],
    ["policy", keyPolicy({ Sid: "Admins", Effect: "Allow", Principal: { AWS: "111122223333" }, Action: ["kms:CreateGrant"], Resource: "*" }), 'policy Admins Action is ["kms:CreateGrant"]'],
    ["policy", keyPolicy({ Sid: "Admins", Effect: "Allow", Principal: { AWS: ROOT }, Action: ["kms:ScheduleKeyDeletion"], Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }), 'policy Admins Action is ["kms:ScheduleKeyDeletion"]; grant disabling or deleting the key to the break-glass role only'],
    ["policy", keyPolicy({ Sid: "BreakGlass", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/archive-break-glass" }, Action: ["kms:DisableKey"], Resource: "*" }), 'policy BreakGlass Condition.Bool["aws:MultiFactorAuthPresent"] is not set'],
  ],
  [
    resourceWildcardOnlyWhereRequired,
    { type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "r", policy: policyDoc({ Sid: "SendTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }) } },
    ["policy", policyDoc({ Sid: "SendTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "s3:GetObject"], Resource: "*" }), 'policy SendTraces Action with Resource "*" is ["s3:GetObject"]; name the resources'],
    ["policy", policyDoc({ Sid: "Read", Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:us-east-1:111122223333:key/k", "*"] }), 'policy Read Action with Resource "*" is ["kms:Decrypt"]'],
  ],
  [
    lambdaHardened,
    { type: "aws:lambda/function:Function", inputs: { runtime: "nodejs24.x", environment: { variables: { ARCHIVE_BUCKET: "b" } }, loggingConfig: { logGroup: "/aws/lambda/x", logFormat: "JSON" } } },
    ["runtime", "nodejs16.x", 'runtime is "nodejs16.x"; use one of nodejs20.x'],
    ["environment.variables.RELAY_PASSWORD", "hunter2", 'environment.variables.RELAY_PASSWORD is "a plain value"'],
    ["loggingConfig", REMOVE, "loggingConfig.logGroup is not set"],
  ],
];

describe.each(cases.map((c) => [c[0].name, c] as const))("%s", (_name, [policy, compliant, ...breaks]) => {
  it("passes the compliant resource, and names its controls", async () => {
    expect(await resourceMessages(policy, compliant)).toEqual([]);
    expect(policy.description).toMatch(/\[.*(SEC|HIPAA|GDPR).*\]$/);
    expect(policy.enforcementLevel).toBe("mandatory");
  });

  it.each(breaks)("fails when %s is %j", async (path, value, expected) => {
    const messages = await resourceMessages(policy, { ...compliant, inputs: changed(compliant.inputs, path, value) });
    expect(messages).toEqual([expect.stringContaining(expected)]);
    expect(messages[0]).toMatch(/^subject-0: /);
  });
});

describe("thresholds", () => {
  it("take a shorter key rotation period", async () => {
    const key = { type: "aws:kms/key:Key", inputs: { enableKeyRotation: true, rotationPeriodInDays: 365 } };
    expect(await resourceMessages(keyRotation, key, { maxKeyRotationDays: 90 })).toEqual([expect.stringContaining("rotationPeriodInDays is 365; set at most 90")]);
  });
});

describe("at preview, before the key exists", () => {
  it("still checks every literal property, and counts an unknown key as set", async () => {
    const queue = { type: "aws:sqs/queue:Queue", inputs: { kmsMasterKeyId: UNKNOWN } };
    expect(await resourceMessages(queueEncrypted, queue)).toEqual([]);
    const trail = { type: "aws:cloudtrail/trail:Trail", inputs: { enableLogFileValidation: false, kmsKeyId: UNKNOWN, isMultiRegionTrail: false } };
    expect(await resourceMessages(trailIntegrity, trail)).toEqual([expect.stringContaining("enableLogFileValidation is false"), expect.stringContaining("isMultiRegionTrail is false")]);
  });

  it("reports what it cannot read as advisory, after what it could", async () => {
    const tls = { type: "aws:s3/bucketPolicy:BucketPolicy", inputs: { bucket: "b", policy: UNKNOWN } };
    expect(await resourceMessages(bucketTlsOnly, tls)).toEqual(["subject-0: can't run during preview: string value at .policy can't be known during preview"]);
  });
});

describe("a sandbox's resources (journal-sandbox)", () => {
  const archive = { type: "aws:s3/bucket:Bucket", inputs: { bucket: "b", objectLockEnabled: true, forceDestroy: true, tags: { "journal-store": "archive", role: "primary", "journal-sandbox": "true" } } };
  const key = { type: "aws:kms/key:Key", inputs: { enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30, tags: { "journal-sandbox": "true" } }, protect: false };

  it("may be force-destroyed and unprotected, and nothing else", async () => {
    expect(await resourceMessages(archiveBucketProtected, archive)).toEqual([]);
    expect(await resourceMessages(keyRotation, key)).toEqual([]);
    expect(await resourceMessages(archiveBucketProtected, { ...archive, inputs: changed(archive.inputs, "objectLockEnabled", false) })).toEqual([expect.stringContaining("objectLockEnabled is false")]);
    expect(await resourceMessages(keyRotation, { ...key, inputs: changed(key.inputs, "enableKeyRotation", false) })).toEqual([expect.stringContaining("enableKeyRotation is false")]);
  });

  it("fail the protection checks again without the tag", async () => {
    expect(await resourceMessages(archiveBucketProtected, { ...archive, inputs: changed(archive.inputs, "tags", { "journal-store": "archive", role: "primary" }) })).toEqual([expect.stringContaining("forceDestroy is true; set false")]);
    expect(await resourceMessages(keyRotation, { ...key, inputs: changed(key.inputs, "tags", REMOVE) })).toEqual([expect.stringContaining("the protect option is false")]);
  });
});

describe("Resource \"*\"", () => {
  it("is allowed only for actions AWS gives no resource type (checked against the Service Authorization Reference data)", async () => {
    // @cloud-copilot/iam-simulate (AGPL-3.0) is a test-only devDependency: its copy of the reference, not shipped.
    const { isWildcardOnlyAction } = await import("@cloud-copilot/iam-simulate");
    for (const action of WILDCARD_ONLY_ACTIONS) {
      const [service, name] = action.split(":");
      expect(await isWildcardOnlyAction(service, name), action).toBe(true);
    }
    expect(await isWildcardOnlyAction("s3", "GetObject")).toBe(false);
  });
});
