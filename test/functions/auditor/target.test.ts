// `--archive` and `--stack`: what each names, the identity picked for the command's duty, the errors
// for bad input and for a stack that cannot be read; and the store opened on each cloud with its clients
// at the SDK boundary (a mocked STS client and the in-memory S3 bucket, a captured Google credential,
// an Entra token credential).
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { TokenCredential } from "@azure/identity";
import type { ContainerClient } from "@azure/storage-blob";
import type { Storage } from "@google-cloud/storage";
import { mockClient } from "aws-sdk-client-mock";
import { Impersonated, OAuth2Client, type AuthClient } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { auditorTargetResolver, openCloudStore, parseArchive, pulumiStackOutputs, resolveTarget, stackTarget, type StackOutputsReader } from "../../../functions/auditor/target";
import { contractRecords } from "../../helpers/auditorStoreContract";
import { fakeS3 } from "../../helpers/fakeS3";

describe("--archive", () => {
  it.each([
    ["./.journal", { kind: "local", dir: "./.journal" }],
    ["/var/lib/journal", { kind: "local", dir: "/var/lib/journal" }],
    ["s3://ej-archive-111122223333-us-east-1-aws-us-east-1", { kind: "s3", bucket: "ej-archive-111122223333-us-east-1-aws-us-east-1" }],
    ["s3://journal.archive/", { kind: "s3", bucket: "journal.archive" }],
    ["gs://ej_archive-prod", { kind: "gcs", bucket: "ej_archive-prod" }],
    ["https://ejarceastus2.blob.core.windows.net/archive", { kind: "azure-blob", accountUrl: "https://ejarceastus2.blob.core.windows.net", container: "archive" }],
    ["https://ejarcusgov.blob.core.usgovcloudapi.net/archive/", { kind: "azure-blob", accountUrl: "https://ejarcusgov.blob.core.usgovcloudapi.net", container: "archive" }],
    ["http://127.0.0.1:10000/devstoreaccount1/archive", { kind: "azure-blob", accountUrl: "http://127.0.0.1:10000/devstoreaccount1", container: "archive" }],
  ])("%s", (text, target) => {
    expect(parseArchive(text)).toEqual(target);
  });

  it.each([
    ["", /--archive is empty; give a folder, s3:\/\/bucket/],
    ["s3://Journal_Archive", /"Journal_Archive" is not an S3 bucket name/],
    ["s3://bucket/messages/", /a whole bucket, s3:\/\/<bucket>, without a path/],
    ["gs://", /"" is not a Cloud Storage bucket name/],
    ["ftp://archive", /unknown scheme ftp:\/\//],
    ["https://ejarc.blob.core.windows.net/archive?sv=2024&sig=abc", /without a query \(no SAS tokens/],
    ["http://ejarc.blob.core.windows.net/archive", /accept HTTPS only/],
    ["https://ejarc.blob.core.windows.net/archive/messages", /its container's URL/],
    ["https://EJ-ARC.blob.core.windows.net/archive", /is not a storage account name/],
    ["https://ejarc.blob.core.windows.net/Archive--x", /is not a container name/],
  ])("refuses %j, saying what is allowed", (text, message) => {
    expect(() => parseArchive(text)).toThrow(message);
  });
});

/** Outputs as infra/<cloud>/index.ts exports them. */
const OUTPUTS: Record<string, Record<string, unknown>> = {
  "aws-us-east-1": {
    archiveBucketArn: "arn:aws:s3:::ej-archive-111122223333-us-east-1-aws-us-east-1",
    archiveBucketName: "ej-archive-111122223333-us-east-1-aws-us-east-1",
    archiveKmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k1",
    auditorRoleArn: "arn:aws:iam::111122223333:role/auditor",
    holdAdminRoleArn: "arn:aws:iam::111122223333:role/hold-admin",
    region: "us-east-1",
  },
  "azure-eastus2": { archiveAccountName: "ejarceastus2", archiveContainer: "archive", resourceGroupName: "rg" },
  "gcp-us-central1": {
    project: "journal-project",
    archiveBucket: "ej-archive-gcp-us-central1",
    auditorServiceAccount: "ej-auditor@journal-project.iam.gserviceaccount.com",
    holdAdminServiceAccount: "ej-hold-admin@journal-project.iam.gserviceaccount.com",
  },
};
const outputs: StackOutputsReader = { read: async (stack) => OUTPUTS[stack] ?? Promise.reject(new Error(`there is no stack named "${stack}"`)) };

describe("--stack", () => {
  it("picks the archive and, by duty, the auditor's or the hold admin's role or account", async () => {
    expect(await stackTarget("aws-us-east-1", "audit", outputs)).toEqual({ kind: "s3", bucket: "ej-archive-111122223333-us-east-1-aws-us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k1", roleArn: "arn:aws:iam::111122223333:role/auditor", region: "us-east-1" });
    expect(await stackTarget("aws-us-east-1", "hold", outputs)).toMatchObject({ roleArn: "arn:aws:iam::111122223333:role/hold-admin" });
    expect(await stackTarget("azure-eastus2", "hold", outputs)).toEqual({ kind: "azure-blob", accountUrl: "https://ejarceastus2.blob.core.windows.net", container: "archive" });
    expect(await stackTarget("gcp-us-central1", "audit", outputs)).toEqual({ kind: "gcs", bucket: "ej-archive-gcp-us-central1", project: "journal-project", serviceAccount: "ej-auditor@journal-project.iam.gserviceaccount.com" });
    expect(await stackTarget("gcp-us-central1", "hold", outputs)).toMatchObject({ serviceAccount: "ej-hold-admin@journal-project.iam.gserviceaccount.com" });
  });

  it("says which outputs a stack lacks, and when it has no archive at all", async () => {
    const partial: StackOutputsReader = { read: async () => ({ archiveBucketArn: "arn:aws:s3:::b", archiveBucketName: "b" }) };
    await expect(stackTarget("aws-old", "hold", partial)).rejects.toThrow(/stack aws-old has no archiveKmsKeyArn, holdAdminRoleArn output: .* It has: archiveBucketArn, archiveBucketName/);
    await expect(stackTarget("empty", "audit", { read: async () => ({}) })).rejects.toThrow(/stack empty has no archive among its outputs \(none\)/);
    await expect(stackTarget("--show-secrets", "audit", outputs)).rejects.toThrow(/is not a stack name/);
  });

  it("runs `pulumi stack output --json --stack <name>` and reads its JSON", async () => {
    const runs: unknown[] = [];
    const reader = pulumiStackOutputs((file, args, _options, callback) => {
      runs.push([file, args]);
      callback(null, JSON.stringify(OUTPUTS["gcp-us-central1"]), "");
    });
    expect(await reader.read("acme/email-journal/gcp-us-central1")).toEqual(OUTPUTS["gcp-us-central1"]);
    expect(runs).toEqual([["pulumi", ["stack", "output", "--json", "--stack", "acme/email-journal/gcp-us-central1"]]]);
  });

  it.each([
    ["the CLI is missing", Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }), "", /Pulumi CLI, which is not installed here .* give --archive instead/],
    ["there is no such stack", Object.assign(new Error("exit 255"), { code: 255 }), "error: no stack named 'gcp-us-west9' found\n", /there is no stack named "gcp-us-west9" in this project \(pulumi stack ls lists them\)/],
    ["the CLI fails otherwise", Object.assign(new Error("exit 255"), { code: 255 }), "\nerror: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n", /failed: error: PULUMI_ACCESS_TOKEN must be set/],
  ])("says so when %s", async (_case, err, stderr, message) => {
    const reader = pulumiStackOutputs((_file, _args, _options, callback) => callback(err, "", stderr));
    await expect(reader.read("gcp-us-west9")).rejects.toThrow(message);
  });

  it("takes --archive or --stack, not both, and a role or account to act as only for a bare --archive", async () => {
    await expect(resolveTarget({ archive: "s3://b-1", stack: "aws-us-east-1" }, "audit", outputs)).rejects.toThrow("give --archive or --stack, not both");
    await expect(resolveTarget({ archive: "s3://b-1", roleArn: "auditor" }, "audit", outputs)).rejects.toThrow(/JOURNAL_AWS_ROLE_ARN "auditor" is not an IAM role ARN/);
    expect(await resolveTarget({}, "audit", outputs)).toBeUndefined();
    expect(await resolveTarget({ archive: "s3://b-1", roleArn: "arn:aws:iam::111122223333:role/auditor" }, "audit", outputs)).toEqual({ kind: "s3", bucket: "b-1", roleArn: "arn:aws:iam::111122223333:role/auditor" });
    expect(await resolveTarget({ archive: "gs://b-1", serviceAccount: "ej-auditor@p.iam.gserviceaccount.com" }, "audit", outputs)).toEqual({ kind: "gcs", bucket: "b-1", serviceAccount: "ej-auditor@p.iam.gserviceaccount.com" });
  });
});

describe("opening the store a stack names", () => {
  it("AWS: assumes the hold-admin role with MFA, and reads records' state without their content", async () => {
    const target = await stackTarget("aws-us-east-1", "hold", outputs);
    const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" } });
    const mock = mockClient(sts);
    mock.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::111122223333:user/alice" });
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date() } });
    const s3 = fakeS3({ bucket: "ej-archive-111122223333-us-east-1-aws-us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k1" });
    const [record] = contractRecords();
    s3.seed(record.key, record.body, record.retainUntil);
    const configs: unknown[] = [];
    const store = await openCloudStore(target as never, { duty: "hold", mfa: { serial: "arn:aws:iam::111122223333:mfa/alice" } }, {
      sts: () => sts,
      s3: (config) => (configs.push(config), s3.client),
      prompt: async () => "246810",
    });
    expect(mock.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({ RoleArn: "arn:aws:iam::111122223333:role/hold-admin", RoleSessionName: "alice", TokenCode: "246810" });
    expect(configs).toEqual([{ region: "us-east-1", credentials: { accessKeyId: "ASIA", secretAccessKey: "s", sessionToken: "t", expiration: expect.any(Date) } }]);
    expect(store.location).toBe("s3://ej-archive-111122223333-us-east-1-aws-us-east-1");
    expect(await store.actor()).toBe("arn:aws:iam::111122223333:user/alice as arn:aws:iam::111122223333:role/hold-admin");
    expect((await store.state(record.key))!.legalHold).toBe(false);
    expect(s3.calls.map((c) => c.command)).not.toContain("HeadObject");
  });

  it("GCP: impersonates the stack's auditor account for the Storage client", async () => {
    const target = await stackTarget("gcp-us-central1", "audit", outputs);
    const user = new OAuth2Client();
    user.credentials = { access_token: "user-token", expiry_date: Date.now() + 3600_000 };
    user.getTokenInfo = async () => ({ email: "alice@example.com" }) as never;
    const made: { projectId?: string; authClient?: AuthClient }[] = [];
    const store = await openCloudStore(target as never, { duty: "audit" }, {
      googleSource: async () => user,
      storage: (options) => (made.push(options), { bucket: (name: string) => ({ name }) } as unknown as Storage),
    });
    expect(made[0].projectId).toBe("journal-project");
    expect(made[0].authClient).toBeInstanceOf(Impersonated);
    expect((made[0].authClient as Impersonated).getTargetPrincipal()).toBe("ej-auditor@journal-project.iam.gserviceaccount.com");
    expect(store.location).toBe("gs://ej-archive-gcp-us-central1");
    expect(await store.actor()).toBe("alice@example.com as ej-auditor@journal-project.iam.gserviceaccount.com");
  });

  it("Azure: the container's URL, as the signed-in identity", async () => {
    const target = await stackTarget("azure-eastus2", "audit", outputs);
    const token = `e30.${Buffer.from(JSON.stringify({ upn: "alice@contoso.example", oid: "oid-1" })).toString("base64url")}.x`;
    const credential: TokenCredential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
    const urls: string[] = [];
    const store = await openCloudStore(target as never, { duty: "audit" }, {
      azureCredential: () => credential,
      azureContainer: (url) => (urls.push(url), { url } as unknown as ContainerClient),
    });
    expect(urls).toEqual(["https://ejarceastus2.blob.core.windows.net/archive"]);
    expect(store.location).toBe("https://ejarceastus2.blob.core.windows.net/archive");
    expect(await store.actor()).toBe("azure:alice@contoso.example (object id oid-1)");
  });

  it("through the seam open.ts calls: the stack's hold-admin role for a hold, the MFA device and code from the environment", async () => {
    const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" } });
    const mock = mockClient(sts);
    mock.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::111122223333:user/alice" });
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date() } });
    const s3 = fakeS3({ bucket: "ej-archive-111122223333-us-east-1-aws-us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k1" });
    const resolve = auditorTargetResolver(outputs, { sts: () => sts, s3: () => s3.client });
    const env = { JOURNAL_MFA_SERIAL: "arn:aws:iam::111122223333:mfa/alice", JOURNAL_MFA_CODE: "135790", JOURNAL_AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/elsewhere" };
    const { store } = await resolve({ stack: "aws-us-east-1", role: "hold-admin" }, env);
    // The stack names the role: a role in the environment is for a bare --archive only.
    expect(mock.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({ RoleArn: "arn:aws:iam::111122223333:role/hold-admin", SerialNumber: env.JOURNAL_MFA_SERIAL, TokenCode: "135790" });
    expect(await store.actor()).toBe("arn:aws:iam::111122223333:user/alice as arn:aws:iam::111122223333:role/hold-admin");
    await resolve({ archive: "s3://ej-archive-111122223333-us-east-1-aws-us-east-1", role: "auditor" }, env);
    expect(mock.commandCalls(AssumeRoleCommand)[1].args[0].input).toMatchObject({ RoleArn: env.JOURNAL_AWS_ROLE_ARN });
    await expect(resolve({ archive: "./.journal", role: "auditor" }, env)).rejects.toThrow(/a cloud archive is --stack <name>, or --archive s3:\/\/bucket/);
  });
});
