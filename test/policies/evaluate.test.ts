// The evaluator behind the offline check and these tests must treat rules as the policy server of
// the installed @pulumi/policy does, or a rule that passes here could crash or pass wrongly for real.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { evaluate, type EvaluatedResource, UNKNOWN } from "../../infra/policyCheck/evaluate";

const bucket = (inputs: Record<string, unknown>): EvaluatedResource => ({ type: "aws:s3/bucket:Bucket", name: "b", urn: "urn:pulumi:test::p::aws:s3/bucket:Bucket::b", inputs });
const rule = (validateResource: ResourceValidationPolicy["validateResource"], extra: Partial<ResourceValidationPolicy> = {}): ResourceValidationPolicy => ({
  name: "r",
  description: "d",
  validateResource,
  ...extra,
});
const only = (policy: ResourceValidationPolicy, inputs: Record<string, unknown> = {}, options = {}) => evaluate([bucket(inputs)], { resource: [policy], stack: [] }, options);

describe("evaluate", () => {
  it("reports what a rule reports, at the rule's level (mandatory by default), with the resource's urn", async () => {
    expect(await only(rule((_a, report) => report("bad")))).toEqual([{ policy: "r", enforcementLevel: "mandatory", message: "bad", urn: "urn:pulumi:test::p::aws:s3/bucket:Bucket::b" }]);
    expect(await only(rule((_a, report) => report("meh"), { enforcementLevel: "advisory" }))).toEqual([expect.objectContaining({ enforcementLevel: "advisory" })]);
    expect(await only(rule((_a, report) => report("off"), { enforcementLevel: "disabled" }))).toEqual([]);
  });

  it("ends a rule that calls notApplicable without a violation", async () => {
    expect(
      await only(
        rule((args, report) => {
          args.notApplicable("not a bucket of ours");
          report("unreachable");
        }),
      ),
    ).toEqual([]);
  });

  it("turns a read of a value unknown at preview into an advisory, keeping what was reported before it", async () => {
    const found = await only(
      rule((args, report) => {
        report("checked first");
        void args.props.policy.length;
      }),
      { policy: UNKNOWN },
    );
    expect(found).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory", message: "checked first" }),
      expect.objectContaining({ enforcementLevel: "advisory", message: "b: can't run during preview: string value at .policy can't be known during preview" }),
    ]);
  });

  it("fails the run, naming the rule and resource, when a rule crashes", async () => {
    await expect(only(rule((args) => void (args.props as any).missing.deeper))).rejects.toThrow(/policy r crashed on urn:pulumi:test::p::aws:s3\/bucket:Bucket::b: /);
  });

  it("gives rules the config schema's defaults, overridden by the pack's config, and the stack tags", async () => {
    const seen: unknown[] = [];
    const policy = rule(
      (args) => {
        seen.push(args.getConfig(), args.stackTags.get("env"));
      },
      { configSchema: { properties: { days: { type: "integer", default: 7 }, mode: { type: "string", default: "x" } } } },
    );
    await only(policy, {}, { config: { r: { days: 30 } }, stackTags: new Map([["env", "prod"]]) });
    expect(seen).toEqual([{ days: 30, mode: "x" }, "prod"]);
  });

  it("hands rules a copy: a rule cannot change what the next rule sees", async () => {
    const meddler = rule((args) => {
      (args.props as any).objectLockEnabled = false;
    });
    const reader: ResourceValidationPolicy = { name: "reader", description: "d", validateResource: (args, report) => report(String(args.props.objectLockEnabled)) };
    expect((await evaluate([bucket({ objectLockEnabled: true })], { resource: [meddler, reader], stack: [] })).map((v) => v.message)).toEqual(["true"]);
  });

  it("runs stack rules over every resource, with their options", async () => {
    const stackRule: StackValidationPolicy = {
      name: "s",
      description: "d",
      validateStack: (args, report) => {
        for (const r of args.resources) if (!r.opts.protect) report(`${r.name} unprotected`, r.urn);
      },
    };
    const found = await evaluate([bucket({}), { ...bucket({}), name: "kept", options: { protect: true } }], { resource: [], stack: [stackRule] });
    expect(found).toEqual([expect.objectContaining({ policy: "s", message: "b unprotected", urn: "urn:pulumi:test::p::aws:s3/bucket:Bucket::b" })]);
  });
});
