// The GCP plan as the contracts read it: the resources the real program would create (recorded
// under Pulumi mocks), with every IAM grant resolved to (member, role, resource) and every role to
// its permissions, custom roles as planned and predefined ones as Google documents them (gcpRoles.ts).
import type { RecordedResource } from "../../infra/policyCheck/mockRun";
import { PREDEFINED_ROLES } from "./gcpRoles";

/** A resource an IAM policy can be set on, named the way the contracts compare them. */
export type Target =
  | { readonly kind: "project"; readonly project: string }
  | { readonly kind: "bucket"; readonly bucket: string; /** One object in it, for grants conditioned on object names. */ readonly object?: string }
  | { readonly kind: "cryptoKey"; readonly key: string }
  | { readonly kind: "topic"; readonly project: string; readonly topic: string }
  | { readonly kind: "subscription"; readonly project: string; readonly subscription: string }
  | { readonly kind: "serviceAccount"; readonly email: string }
  | { readonly kind: "runService"; readonly location: string; readonly service: string }
  | { readonly kind: "repository"; readonly location: string; readonly repository: string };

export interface Grant {
  readonly member: string;
  readonly role: string;
  readonly target: Target;
  /** An IAM condition's CEL expression, if any. */
  readonly condition?: string;
  /** The planned resource that makes the grant. */
  readonly resource: string;
}

const last = (path: unknown) => String(path ?? "").split("/").pop()!;
/** `projects/p/topics/t` or `t` (in `project`) → both parts. */
const inProject = (path: unknown, project: string) => {
  const parts = String(path ?? "").split("/");
  return parts.length >= 4 && parts[0] === "projects" ? { project: parts[1], name: parts[3] } : { project, name: parts[parts.length - 1] };
};

function grantOf(r: RecordedResource): Grant | undefined {
  const i = r.inputs;
  const base = { member: String(i.member), role: String(i.role), resource: r.name, ...(i.condition?.expression ? { condition: String(i.condition.expression) } : {}) };
  switch (r.type) {
    case "gcp:projects/iAMMember:IAMMember":
      return { ...base, target: { kind: "project", project: String(i.project) } };
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
      return { ...base, target: { kind: "bucket", bucket: String(i.bucket) } };
    case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
      return { ...base, target: { kind: "cryptoKey", key: String(i.cryptoKeyId) } };
    case "gcp:pubsub/topicIAMMember:TopicIAMMember": {
      const t = inProject(i.topic, String(i.project));
      return { ...base, target: { kind: "topic", project: t.project, topic: t.name } };
    }
    case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": {
      const s = inProject(i.subscription, String(i.project));
      return { ...base, target: { kind: "subscription", project: s.project, subscription: s.name } };
    }
    case "gcp:serviceaccount/iAMMember:IAMMember":
      return { ...base, target: { kind: "serviceAccount", email: last(i.serviceAccountId) } };
    case "gcp:cloudrunv2/serviceIamMember:ServiceIamMember":
      return { ...base, target: { kind: "runService", location: String(i.location), service: last(i.name) } };
    case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
      return { ...base, target: { kind: "repository", location: String(i.location), repository: last(i.repository) } };
    default:
      return undefined;
  }
}

/** The one IAM condition form the program uses: `resource.name.startsWith("…")`; anything else is not counted. */
const CONDITION = /^resource\.name\.startsWith\("([^"]+)"\)$/;

export class GcpPlan {
  readonly grants: readonly Grant[];
  private readonly customRoles: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly resources: readonly RecordedResource[],
    readonly project: string,
  ) {
    this.grants = resources.map(grantOf).filter((g): g is Grant => g !== undefined);
    this.customRoles = new Map(
      resources.filter((r) => r.type === "gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => [`projects/${r.inputs.project}/roles/${r.inputs.roleId}`, (r.inputs.permissions ?? []) as string[]]),
    );
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** A role's permissions: planned custom roles, documented predefined ones; an unknown role throws, naming it. */
  permissionsOfRole(role: string): readonly string[] {
    const custom = this.customRoles.get(role);
    if (custom) return custom;
    const predefined = PREDEFINED_ROLES[role];
    if (!predefined) throw new Error(`the plan grants ${role}, which test/contracts/gcpRoles.ts does not record: add its documented permissions with their source`);
    return predefined.permissions;
  }

  /** The project a bucket of this plan belongs to, if it is one of the plan's own buckets. */
  private bucketProject(bucket: string): string | undefined {
    return this.ofType("gcp:storage/bucket:Bucket").find((b) => b.inputs.name === bucket)?.inputs.project;
  }

  /** Whether a grant reaches `target`: on it directly, or on the project holding it (conditions permitting). */
  private reaches(grant: Grant, target: Target): boolean {
    // A grant on a bucket reaches its objects; which ones, a condition on their names may say.
    const same = grant.target.kind === "bucket" && target.kind === "bucket" ? grant.target.bucket === target.bucket : JSON.stringify(grant.target) === JSON.stringify(target);
    let covered = same;
    if (!same && grant.target.kind === "project") {
      const project = grant.target.project;
      if (target.kind === "bucket") covered = this.bucketProject(target.bucket) === project || target.bucket.startsWith("gcf-v2-sources-");
      else if (target.kind === "topic" || target.kind === "subscription") covered = target.project === project;
      else if (target.kind === "serviceAccount") covered = target.email.endsWith(`@${project}.iam.gserviceaccount.com`);
      else covered = target.kind === "project" && target.project === project;
    }
    if (!covered || grant.condition === undefined) return covered;
    const prefix = CONDITION.exec(grant.condition)?.[1];
    if (prefix === undefined || target.kind !== "bucket") return false;
    // IAM resource names: projects/_/buckets/BUCKET for the bucket, .../objects/OBJECT for one object in it.
    return `projects/_/buckets/${target.bucket}${target.object !== undefined ? `/objects/${target.object}` : ""}`.startsWith(prefix);
  }

  /** Every permission `member` holds on `target` through the plan's grants. */
  permissionsOf(member: string, target: Target): Set<string> {
    const held = new Set<string>();
    for (const grant of this.grants) if (grant.member === member && this.reaches(grant, target)) for (const p of this.permissionsOfRole(grant.role)) held.add(p);
    return held;
  }

  /** The members holding `permission` on `target`. */
  holders(permission: string, target: Target): string[] {
    const members = [...new Set(this.grants.map((g) => g.member))];
    return members.filter((m) => this.permissionsOf(m, target).has(permission)).sort();
  }
}

export const describeTarget = (t: Target): string => {
  switch (t.kind) {
    case "project":
      return `project ${t.project}`;
    case "bucket":
      return t.object !== undefined ? `object ${t.object} in bucket ${t.bucket}` : `bucket ${t.bucket}`;
    case "cryptoKey":
      return `key ${t.key}`;
    case "topic":
      return `topic ${t.project}/${t.topic}`;
    case "subscription":
      return `subscription ${t.project}/${t.subscription}`;
    case "serviceAccount":
      return `service account ${t.email}`;
    case "runService":
      return `Cloud Run service ${t.location}/${t.service}`;
    case "repository":
      return `repository ${t.location}/${t.repository}`;
  }
};
