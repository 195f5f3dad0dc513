// IAM policy documents as plain data. The pack's aws-iam-* rules (policies/aws/iam.ts) check them.
import * as pulumi from "@pulumi/pulumi";

export type Condition = Record<string, Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[] | boolean>>;

export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: pulumi.Input<Record<string, pulumi.Input<string | pulumi.Input<string>[]>> | "*">;
  readonly NotPrincipal?: never;
  readonly Action: readonly string[];
  /** Absent only in trust policies. */
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Condition?: Condition;
}

/** A policy document as the JSON string IAM, S3, KMS and SNS take. */
export function policyJson(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.output({ Version: "2012-10-17", Statement: statements }).apply((doc) => JSON.stringify(doc));
}

/** The MFA condition every statement for people carries. */
export const MFA: Condition = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
