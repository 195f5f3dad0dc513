// `npm run preflight -- --stack <name> [--cloud aws|azure|gcp] [--json]`: asks the account, read-only
// and with the operator's own credentials, what only the account knows before the first `pulumi up`.
// Prints a table of checks (pass, fail, unknown, and what to do); exits 1 when any check fails.
import { DefaultAzureCredential } from "@azure/identity";
import { GoogleAuth } from "google-auth-library";
import { parseArgs } from "node:util";
import { CLOUDS, ConfigError, parseStackConfig, type StackConfig } from "../config";
import { projectKeys, stackFileConfig, stackFilePath } from "../stackFiles";
import { awsPreflightClients, preflightAws } from "./aws";
import { armReader, preflightAzure, signedInObjectId } from "./azure";
import type { PreflightCheck } from "./check";
import { googleApi, preflightGcp } from "./gcp";

const USAGE = `usage: npm run preflight -- --stack <name> [--cloud aws|azure|gcp] [--json]
  --cloud checks that the stack file deploys that cloud. Reads the stack's file, then asks the cloud account (read-only, your own credentials) what would
  stop the first \`pulumi up\`. Credentials: AWS_PROFILE or role credentials; \`az login\` and
  ARM_SUBSCRIPTION_ID; \`gcloud auth application-default login\`. Exit 1 when a check fails.`;

class UsageError extends Error {}

/** The checks as a table, one row each, fixes indented under what failed or could not be asked. */
export function renderChecks(stack: string, checks: readonly PreflightCheck[]): string {
  const mark = { pass: "pass", fail: "FAIL", unknown: "????" } as const;
  const width = Math.max(...checks.map((c) => c.name.length), 5);
  const rows = checks.map((c) => `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.detail}${c.fix && c.status !== "pass" ? `\n      ${" ".repeat(width)}  → ${c.fix}` : ""}`);
  const count = (status: PreflightCheck["status"]) => checks.filter((c) => c.status === status).length;
  return [`preflight for stack ${stack}`, ...rows, `${count("pass")} passed, ${count("fail")} failed, ${count("unknown")} unknown`].join("\n");
}

/** Runs the cloud's checks with clients for the operator's own credentials. */
async function checksFor(config: StackConfig, fileConfig: Readonly<Record<string, unknown>>): Promise<PreflightCheck[]> {
  switch (config.cloud) {
    case "aws":
      return preflightAws(config, awsPreflightClients(config.region));
    case "azure": {
      const subscriptionId = process.env.ARM_SUBSCRIPTION_ID ?? process.env.AZURE_SUBSCRIPTION_ID ?? (fileConfig["azure-native:subscriptionId"] as string | undefined);
      if (!subscriptionId) throw new UsageError("the Azure subscription is not known: set ARM_SUBSCRIPTION_ID (`az account show --query id -o tsv`) or azure-native:subscriptionId in the stack file");
      const credential = new DefaultAzureCredential();
      return preflightAzure(config, { arm: armReader(credential), subscriptionId, deployerObjectId: await signedInObjectId(credential) });
    }
    case "gcp": {
      const auth = new GoogleAuth({ scopes: "https://www.googleapis.com/auth/cloud-platform" });
      return preflightGcp(config, { api: googleApi(() => auth.getAccessToken()) });
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { stack: { type: "string" }, cloud: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.stack) throw new UsageError("--stack is required");
  if (values.cloud !== undefined && !(CLOUDS as readonly string[]).includes(values.cloud)) throw new UsageError(`--cloud must be one of ${CLOUDS.join(", ")}, got "${values.cloud}"`);
  const file = stackFileConfig(values.stack);
  const config = parseStackConfig(projectKeys(file), values.stack);
  if (values.cloud && config.cloud !== values.cloud) throw new UsageError(`${stackFilePath(values.stack)} deploys ${config.cloud}, not ${values.cloud}`);
  process.stderr.write(`asking ${config.cloud} about stack ${values.stack} (${config.region})…\n`);
  const checks = await checksFor(config, file);
  if (values.json) console.log(JSON.stringify({ stack: values.stack, cloud: config.cloud, checks }, null, 2));
  else console.log(renderChecks(values.stack, checks));
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${err.message}\n\n${USAGE}`);
        process.exitCode = 2;
        return;
      }
      console.error(err instanceof ConfigError ? err.message : `preflight could not run: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
