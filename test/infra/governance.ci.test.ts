// The CI workflow (.github/workflows/compliance.yml and the preview action it uses), read as GitHub
// reads it: actions pinned to commit SHAs, each job with the permissions it needs and no more, every
// stack file checked offline and previewed with the pack, and a fork's pull request (or
// Dependabot's) kept away from secrets and OIDC tokens, which GitHub does not give them anyway
// (GitHub Docs, "GITHUB_TOKEN reference": id-token "none" and no secrets for pull requests from
// forks; Dependabot's run as if from a fork).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../infra/config";
import { projectConfig, ROOT, stackNames } from "../../infra/stackFiles";

type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Job = { if?: string; permissions?: Record<string, string>; steps: Step[]; strategy?: { matrix?: Record<string, any> }; needs?: string[] };

const GITHUB = join(ROOT, ".github");
const WORKFLOW_FILE = join(GITHUB, "workflows", "compliance.yml");
const PREVIEW_ACTION_FILE = join(GITHUB, "actions", "preview", "action.yml");
const workflow = load(readFileSync(WORKFLOW_FILE, "utf8")) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };
const previewAction = load(readFileSync(PREVIEW_ACTION_FILE, "utf8")) as { runs: { steps: Step[] } };
const jobs = Object.entries(workflow.jobs);
// The shipped stack files, named <cloud>-<region> (test/infra/stacks.test.ts); another suite's scratch
// stack file may sit at the root while this one runs.
const STACKS = stackNames().filter((stack) => /^(aws|azure|gcp)-/.test(stack));

const LOGIN_ACTIONS = ["aws-actions/configure-aws-credentials", "azure/login", "google-github-actions/auth"];
const actionOf = (uses: string) => uses.split("@")[0].toLowerCase();
/** A job's steps, with the local preview action's steps counted as its own. */
const stepsOf = (job: Job): Step[] => job.steps.flatMap((s) => (s.uses === "./.github/actions/preview" ? [s, ...previewAction.runs.steps] : [s]));
const commentsOnPullRequests = (job: Job) => job.steps.some((s) => String(s.with?.["comment-on-pr"]) === "true");
const logsInToACloud = (job: Job) => stepsOf(job).some((s) => s.uses && LOGIN_ACTIONS.includes(actionOf(s.uses)));
const usesSecrets = (job: Job) => JSON.stringify(job).includes("secrets.");

/** What a job needs: read the code; an OIDC token to log in to a cloud; write to pull requests to comment on them. */
function neededPermissions(job: Job): Record<string, string> {
  return { contents: "read", ...(logsInToACloud(job) ? { "id-token": "write" } : {}), ...(commentsOnPullRequests(job) ? { "pull-requests": "write" } : {}) };
}

describe("the compliance workflow", () => {
  it("pins every action to a full commit SHA, with its tag in a comment", () => {
    const files = [WORKFLOW_FILE, ...readdirSync(join(GITHUB, "actions")).map((a) => join(GITHUB, "actions", a, "action.yml"))];
    let pinned = 0;
    for (const file of files) {
      for (const line of readFileSync(file, "utf8").split("\n").filter((l) => /^\s*-?\s*uses:/.test(l))) {
        const uses = line.replace(/^\s*-?\s*uses:\s*/, "");
        if (uses.startsWith("./")) continue;
        expect(uses, `${file}: ${line.trim()}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        pinned++;
      }
    }
    expect(pinned).toBeGreaterThanOrEqual(8);
  });

  it("grants nothing by default, and each job exactly what it needs", () => {
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of jobs) expect(job.permissions, name).toEqual(neededPermissions(job));
  });

  it("lets the jobs that comment on pull requests write to them (pulumi/actions#1195), and only those", () => {
    const commenting = jobs.filter(([, job]) => commentsOnPullRequests(job)).map(([name]) => name);
    expect(commenting).toEqual(["preview-pr"]);
    for (const [name, job] of jobs) expect(job.permissions?.["pull-requests"] === "write", name).toBe(commenting.includes(name));
  });

  it("runs npm test on Node 20 and on the current LTS, 24", () => {
    const test = workflow.jobs.test;
    expect(test.strategy?.matrix?.node).toEqual(expect.arrayContaining([20, 24]));
    expect(test.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe("${{ matrix.node }}");
    expect(test.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci --no-audit --no-fund", "npm test"]);
  });

  it("checks every stack file at the repository root offline", () => {
    expect([...workflow.jobs["policy-check"].strategy!.matrix!.stack].sort()).toEqual(STACKS);
    expect(workflow.jobs["policy-check"].steps.at(-1)!.run).toBe("npm run policy:check -- --stack ${{ matrix.stack }}");
  });

  it.each(["preview-pr", "preview-main"])("%s previews every stack file, on its own cloud and region, with the pack enforced", (name) => {
    const include = workflow.jobs[name].strategy!.matrix!.include as { stack: string; cloud: string; region: string }[];
    expect(include.map((i) => i.stack).sort()).toEqual(STACKS);
    for (const entry of include) {
      const config = parseStackConfig(projectConfig(entry.stack), entry.stack);
      expect(entry, entry.stack).toEqual({ stack: entry.stack, cloud: config.cloud, region: config.region });
    }
    expect(workflow.jobs[name].steps.at(-1)!.with).toMatchObject({ stack: "${{ matrix.stack }}", cloud: "${{ matrix.cloud }}", region: "${{ matrix.region }}" });
    const preview = previewAction.runs.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(preview.with).toMatchObject({ command: "preview", policyPacks: "policies", "stack-name": "${{ inputs.pulumi-org }}/email-journal/${{ inputs.stack }}" });
  });

  it("logs each cloud in by OIDC only, and only for that cloud's stacks", () => {
    const logins = previewAction.runs.steps.filter((s) => s.uses && LOGIN_ACTIONS.includes(actionOf(s.uses)));
    expect(logins.map((s) => [actionOf(s.uses!), s.if])).toEqual([
      ["aws-actions/configure-aws-credentials", "inputs.cloud == 'aws'"],
      ["azure/login", "inputs.cloud == 'azure'"],
      ["google-github-actions/auth", "inputs.cloud == 'gcp'"],
    ]);
    for (const login of logins) expect(Object.keys(login.with ?? {}).join()).not.toMatch(/secret|key|creds|credentials_json|password/i);
  });

  it("keeps secrets and OIDC away from forks' and Dependabot's pull requests, which still get the offline checks", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    for (const [name, job] of jobs) {
      if (usesSecrets(job) || logsInToACloud(job)) {
        const runsOnPullRequests = job.if !== "github.event_name == 'push'";
        if (runsOnPullRequests) {
          expect(job.if, name).toContain("github.event.pull_request.head.repo.full_name == github.repository");
          expect(job.if, name).toContain("github.actor != 'dependabot[bot]'");
        }
        expect(job.needs, name).toEqual(["test", "policy-check"]);
      } else {
        expect(job.if, `${name} runs for every pull request`).toBeUndefined();
      }
    }
    expect(jobs.filter(([, job]) => !usesSecrets(job)).map(([name]) => name)).toEqual(["test", "policy-check"]);
  });

  it("keeps no dependency cache where cloud credentials are", () => {
    for (const [name, job] of jobs.filter(([, job]) => logsInToACloud(job))) {
      expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with, name).toMatchObject({ "package-manager-cache": false });
    }
  });

  it("has Dependabot keep the pinned actions and the npm lockfiles current", () => {
    const dependabot = load(readFileSync(join(GITHUB, "dependabot.yml"), "utf8")) as { updates: { "package-ecosystem": string; directories: string[] }[] };
    const dirs = (ecosystem: string) => dependabot.updates.filter((u) => u["package-ecosystem"] === ecosystem).flatMap((u) => u.directories);
    expect(dirs("github-actions")).toEqual(expect.arrayContaining(["/", ...readdirSync(join(GITHUB, "actions")).map((a) => `/.github/actions/${a}`)]));
    expect(dirs("npm")).toEqual(expect.arrayContaining(["/", "/policies"]));
  });
});
