// Which cloud archive an auditor's command acts on, and as whom: `--archive` names one (s3://bucket,
// an Azure container URL, gs://bucket; a folder is the local archive); `--stack <name>` reads a deployed
// stack's outputs (through `pulumi stack output`) for its archive and for the role or service account
// to act as. The identity's inputs come from the environment, beside the credentials the SDKs read:
//   JOURNAL_MFA_SERIAL, JOURNAL_MFA_CODE   AWS: the person's MFA device and its code (asked on a terminal)
//   JOURNAL_AWS_ROLE_ARN                   AWS with --archive: the role to assume (default: act as yourself)
//   JOURNAL_GCP_SERVICE_ACCOUNT            GCP with --archive: the account to impersonate (default: yourself)
// functions/auditor/open.ts loads this module for a cloud archive only, through resolveAuditorTarget.
import { execFile } from "node:child_process";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { Storage } from "@google-cloud/storage";
import { type AuthClient, GoogleAuth } from "google-auth-library";
import { BlobAuditorStore } from "./blob";
import { athenaTargetOf, bigQueryTargetOf, type EngineClients, searchEngineFor, type Sessions, synapseTargetOf, watching } from "./engines/cloud";
import type { AthenaTarget } from "./engines/athena";
import type { BigQueryTarget } from "./engines/bigquery";
import type { SynapseTarget } from "./engines/synapse";
import { GcsAuditorStore } from "./gcs";
import { assumeArchiveRole, awsCaller, azureActor, googlePerson, impersonateArchiveAccount, type MfaInput, terminalPrompt } from "./identity";
import { S3AuditorStore } from "./s3";
import type { CloudResolver } from "./open";
import type { AuditorStore } from "./store";

export type ArchiveTarget =
  | { readonly kind: "local"; readonly dir: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly region?: string; readonly kmsKeyArn?: string; readonly roleArn?: string; readonly athena?: AthenaTarget }
  | { readonly kind: "azure-blob"; readonly accountUrl: string; readonly container: string; readonly synapse?: SynapseTarget }
  | { readonly kind: "gcs"; readonly bucket: string; readonly project?: string; readonly serviceAccount?: string; readonly bigquery?: BigQueryTarget };

export type CloudTarget = Exclude<ArchiveTarget, { kind: "local" }>;

/** Which of the stack's identities a command needs: the auditor's (read), or the hold admin's (legal holds). */
export type Duty = "audit" | "hold";

const S3_BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const AZURE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const AZURE_CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An `--archive` as the user wrote it. Bad input names what was wrong and what is allowed. */
export function parseArchive(text: string): ArchiveTarget {
  const value = text.trim();
  if (value === "") throw new Error("--archive is empty; give a folder, s3://bucket, https://<account>.blob.core.windows.net/<container> or gs://bucket");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "local", dir: value };
  if (scheme === "s3" || scheme === "gs") {
    const rest = value.slice(scheme.length + 3).replace(/\/$/, "");
    const what = scheme === "s3" ? "an S3 bucket name" : "a Cloud Storage bucket name";
    if (rest.includes("/")) throw new Error(`--archive ${value}: an archive is a whole bucket, ${scheme}://<bucket>, without a path`);
    if (!(scheme === "s3" ? S3_BUCKET : GCS_BUCKET).test(rest) || rest.includes("..")) throw new Error(`--archive ${value}: "${rest}" is not ${what} (3-63 lower-case letters, digits, dots and hyphens${scheme === "gs" ? ", underscores" : ""})`);
    return scheme === "s3" ? { kind: "s3", bucket: rest } : { kind: "gcs", bucket: rest };
  }
  if (scheme === "https" || scheme === "http") return parseContainerUrl(value);
  throw new Error(`--archive ${value}: unknown scheme ${scheme}://; give a folder, s3://bucket, https://<account>.blob.core.windows.net/<container> or gs://bucket`);
}

/** `https://<account>.blob.<suffix>/<container>`, or an emulator's `http://127.0.0.1:<port>/<account>/<container>`. */
function parseContainerUrl(value: string): ArchiveTarget {
  const url = new URL(value);
  const parts = url.pathname.split("/").filter(Boolean);
  const usage = `--archive ${value}: an Azure archive is its container's URL, https://<account>.blob.core.windows.net/<container>`;
  if (url.search || url.hash) throw new Error(`${usage}, without a query (no SAS tokens: sign in with az login instead)`);
  const emulator = LOCAL_HOSTS.has(url.hostname);
  const account = emulator ? parts[0] : /^([^.]+)\.blob\./.exec(url.hostname)?.[1];
  const container = emulator ? parts[1] : parts[0];
  if (!account || !container || parts.length !== (emulator ? 2 : 1)) throw new Error(usage);
  if (!emulator && url.protocol !== "https:") throw new Error(`${usage}: storage accounts accept HTTPS only`);
  if (!AZURE_ACCOUNT.test(account) && !emulator) throw new Error(`${usage}: "${account}" is not a storage account name (3-24 lower-case letters and digits)`);
  if (!AZURE_CONTAINER.test(container)) throw new Error(`${usage}: "${container}" is not a container name (3-63 lower-case letters, digits and single hyphens)`);
  return { kind: "azure-blob", accountUrl: emulator ? `${url.origin}/${account}` : url.origin, container };
}

// ---- stacks -------------------------------------------------------------------------------------

/** Reads a deployed stack's outputs. The real one runs the Pulumi CLI; tests pass their own. */
export interface StackOutputsReader {
  read(stack: string): Promise<Record<string, unknown>>;
}

type Exec = (file: string, args: readonly string[], options: { cwd?: string; maxBuffer: number }, callback: (err: (Error & { code?: unknown }) | null, stdout: string, stderr: string) => void) => unknown;

const STACK_NAME = /^(?!-)(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

/** `pulumi stack output --json --stack <name>`, run where the project is (npm runs scripts at its root). */
export function pulumiStackOutputs(exec: Exec = execFile as unknown as Exec, cwd?: string): StackOutputsReader {
  return {
    read: (stack) =>
      new Promise((resolve, reject) => {
        exec("pulumi", ["stack", "output", "--json", "--stack", stack], { ...(cwd ? { cwd } : {}), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err?.code === "ENOENT") return reject(new Error("--stack reads the stack's outputs with the Pulumi CLI, which is not installed here (or not on PATH): install it, or give --archive instead"));
          if (err) {
            const said = String(stderr).trim().split("\n").find((line) => line.trim()) ?? err.message;
            if (/no stack named|stack .* not found/i.test(said)) return reject(new Error(`there is no stack named "${stack}" in this project (pulumi stack ls lists them)`));
            return reject(new Error(`pulumi stack output --stack ${stack} failed: ${said}`));
          }
          try {
            resolve(JSON.parse(stdout) as Record<string, unknown>);
          } catch {
            reject(new Error(`pulumi stack output --stack ${stack} did not print JSON`));
          }
        });
      }),
  };
}

const text = (outputs: Record<string, unknown>, name: string) => (typeof outputs[name] === "string" && outputs[name] !== "" ? (outputs[name] as string) : undefined);

/** The archive of a deployed stack and the identity for `duty`, from its outputs (infra/<cloud>/index.ts). */
export async function stackTarget(stack: string, duty: Duty, reader: StackOutputsReader): Promise<CloudTarget> {
  if (!STACK_NAME.test(stack)) throw new Error(`--stack "${stack}" is not a stack name ([org/[project/]]name of letters, digits, _ . -)`);
  const outputs = await reader.read(stack);
  const need = (...names: string[]) => {
    const lacking = names.filter((n) => text(outputs, n) === undefined);
    if (lacking.length > 0) throw new Error(`stack ${stack} has no ${lacking.join(", ")} output: has it been deployed with this version (pulumi up)? It has: ${Object.keys(outputs).sort().join(", ") || "no outputs"}`);
    return names.map((n) => text(outputs, n)!);
  };
  if ("archiveBucketArn" in outputs) {
    const [bucket, kmsKeyArn, roleArn] = need("archiveBucketName", "archiveKmsKeyArn", duty === "hold" ? "holdAdminRoleArn" : "auditorRoleArn");
    const region = text(outputs, "region");
    // The stack's query engine, for the auditor (infra/aws/search.ts); a hold admin has none.
    const athena = duty === "audit" ? athenaTargetOf(outputs) : undefined;
    return { kind: "s3", bucket, kmsKeyArn, roleArn, ...(region ? { region } : {}), ...(athena ? { athena } : {}) };
  }
  if ("archiveAccountName" in outputs) {
    const [account, container] = need("archiveAccountName", "archiveContainer");
    const synapse = duty === "audit" ? synapseTargetOf(outputs) : undefined;
    return { kind: "azure-blob", accountUrl: `https://${account}.blob.core.windows.net`, container, ...(synapse ? { synapse } : {}) };
  }
  if ("archiveBucket" in outputs) {
    const [bucket, project, serviceAccount] = need("archiveBucket", "project", duty === "hold" ? "holdAdminServiceAccount" : "auditorServiceAccount");
    const bigquery = duty === "audit" ? bigQueryTargetOf(outputs) : undefined;
    return { kind: "gcs", bucket, project, serviceAccount, ...(bigquery ? { bigquery } : {}) };
  }
  throw new Error(`stack ${stack} has no archive among its outputs (${Object.keys(outputs).sort().join(", ") || "none"}): is it an email-journal stack, and deployed?`);
}

export interface TargetOptions {
  readonly archive?: string;
  readonly stack?: string;
  /** AWS with --archive: the role to assume (JOURNAL_AWS_ROLE_ARN). */
  readonly roleArn?: string;
  /** GCP with --archive: the service account to impersonate (JOURNAL_GCP_SERVICE_ACCOUNT). */
  readonly serviceAccount?: string;
}

/** The archive the options name; undefined when they name none (the command's default applies). */
export async function resolveTarget(options: TargetOptions, duty: Duty, reader: StackOutputsReader = pulumiStackOutputs()): Promise<ArchiveTarget | undefined> {
  if (options.archive !== undefined && options.stack !== undefined) throw new Error("give --archive or --stack, not both");
  if (options.stack !== undefined) return stackTarget(options.stack, duty, reader);
  if (options.archive === undefined) return undefined;
  const target = parseArchive(options.archive);
  if (target.kind === "s3" && options.roleArn) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(options.roleArn)) throw new Error(`JOURNAL_AWS_ROLE_ARN "${options.roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    return { ...target, roleArn: options.roleArn };
  }
  if (target.kind === "gcs" && options.serviceAccount) return { ...target, serviceAccount: options.serviceAccount };
  return target;
}

// ---- opening ------------------------------------------------------------------------------------

export interface OpenOptions {
  readonly duty: Duty;
  readonly mfa?: Omit<MfaInput, "prompt">;
}

/** The cloud clients, by default the SDKs' own from the environment; tests pass theirs. */
export interface CloudClients extends EngineClients {
  readonly sts?: (region?: string) => STSClient;
  readonly s3?: (config: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } }) => S3Client;
  readonly azureCredential?: () => TokenCredential;
  readonly azureContainer?: (url: string, credential: TokenCredential) => ContainerClient;
  readonly googleSource?: () => Promise<AuthClient>;
  readonly storage?: (options: { projectId?: string; authClient?: AuthClient }) => Storage;
  readonly prompt?: (question: string) => Promise<string>;
}

const DEFAULT_CLIENTS = {
  s3: (config: Parameters<NonNullable<CloudClients["s3"]>>[0]) => new S3Client({ ...config, followRegionRedirects: true }),
  googleSource: (): Promise<AuthClient> => new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }).getClient(),
  azureCredential: (): TokenCredential => new DefaultAzureCredential(),
};

/** An AuditorStore on the cloud archive, acting as the identity the target names (or as the signed-in person). */
export async function openCloudStore(target: CloudTarget, options: OpenOptions, clients: CloudClients = {}): Promise<AuditorStore> {
  if (target.kind === "s3") {
    const sts = (clients.sts ?? ((region) => new STSClient(region ? { region } : {})))(target.region);
    const s3 = clients.s3 ?? DEFAULT_CLIENTS.s3;
    if (!target.roleArn) {
      // No role: the person's own credentials, which the archive's policies must then allow themselves.
      return new S3AuditorStore({ client: s3({ ...(target.region ? { region: target.region } : {}) }), bucket: target.bucket, actor: await awsCaller(sts), ...(target.kmsKeyArn ? { kmsKeyArn: target.kmsKeyArn } : {}) });
    }
    const prompt = clients.prompt ?? terminalPrompt();
    const session = await assumeArchiveRole(sts, target.roleArn, { ...options.mfa, ...(prompt ? { prompt } : {}) });
    return new S3AuditorStore({
      client: s3({ ...(target.region ? { region: target.region } : {}), credentials: session.credentials }),
      bucket: target.bucket,
      actor: session.actor,
      ...(target.kmsKeyArn ? { kmsKeyArn: target.kmsKeyArn } : {}),
      // The hold-admin role may not read records (infra/aws/access.ts): its state comes without their content.
      access: options.duty === "hold" ? "holds" : "content",
    });
  }
  if (target.kind === "azure-blob") {
    const credential = (clients.azureCredential ?? DEFAULT_CLIENTS.azureCredential)();
    const actor = await azureActor(credential);
    const container = (clients.azureContainer ?? ((url, c) => new ContainerClient(url, c)))(`${target.accountUrl}/${target.container}`, credential);
    return new BlobAuditorStore({ container, actor });
  }
  const source = await (clients.googleSource ?? DEFAULT_CLIENTS.googleSource)();
  const storage = clients.storage ?? ((o) => new Storage(o));
  const projectId = target.project ? { projectId: target.project } : {};
  if (!target.serviceAccount) {
    // No account to impersonate: the person's own credentials, which the bucket's IAM must then allow themselves.
    return new GcsAuditorStore({ bucket: storage({ ...projectId, authClient: source }).bucket(target.bucket), actor: await googlePerson(source) });
  }
  const { authClient, actor } = await impersonateArchiveAccount(source, target.serviceAccount);
  return new GcsAuditorStore({ bucket: storage({ ...projectId, authClient }).bucket(target.bucket), actor });
}

/**
 * The seam functions/auditor/open.ts calls for a cloud archive: the store, acting as the stack's auditor
 * (or, for holds, its hold admin) in the person's name. The identity flags of --archive come from the
 * environment (see the top of this file); with --stack the stack names the role or account.
 */
export function auditorTargetResolver(reader: StackOutputsReader = pulumiStackOutputs(), clients: CloudClients = {}): CloudResolver {
  return async (request, env) => {
    const duty: Duty = request.role === "hold-admin" ? "hold" : "audit";
    const target = await resolveTarget(
      {
        ...(request.archive !== undefined ? { archive: request.archive } : {}),
        ...(request.stack !== undefined ? { stack: request.stack } : {}),
        // With --stack the stack names the role or account; these are for a bare --archive.
        ...(request.stack === undefined && env.JOURNAL_AWS_ROLE_ARN ? { roleArn: env.JOURNAL_AWS_ROLE_ARN } : {}),
        ...(request.stack === undefined && env.JOURNAL_GCP_SERVICE_ACCOUNT ? { serviceAccount: env.JOURNAL_GCP_SERVICE_ACCOUNT } : {}),
      },
      duty,
      reader,
    );
    if (!target || target.kind === "local") throw new Error("a cloud archive is --stack <name>, or --archive s3://bucket | https://<account>.blob.core.windows.net/<container> | gs://bucket");
    const mfa = { ...(env.JOURNAL_MFA_SERIAL ? { serial: env.JOURNAL_MFA_SERIAL } : {}), ...(env.JOURNAL_MFA_CODE ? { code: env.JOURNAL_MFA_CODE } : {}) };
    // The stack's query engine (engines/cloud.ts) acts in the session the store was opened with: one MFA code.
    const sessions: Sessions = {};
    const store = await openCloudStore(target, { duty, mfa }, watching(clients, DEFAULT_CLIENTS, sessions));
    const engine = searchEngineFor(target, store, sessions, clients);
    return { store, ...(engine ? { engine } : {}) };
  };
}

export const resolveAuditorTarget: CloudResolver = auditorTargetResolver();
