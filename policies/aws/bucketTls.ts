import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { type DocumentStatement, statementsOf } from "./documents";

const deniesAll = (s: DocumentStatement) => s.Effect === "Deny" && s.principals.includes("*") && s.Action.some((a) => a === "s3:*" || a === "*");
const condition = (s: DocumentStatement, operator: string, key: string) => s.Condition?.[operator]?.[key];

export const bucketTlsOnly = resourceRule({
  name: "aws-s3-tls-only",
  description: "Every bucket policy denies requests without TLS (aws:SecureTransport false) and with TLS below 1.2 (s3:TlsVersion)",
  controls: SERVES.transport,
  types: ["aws:s3/bucketPolicy:BucketPolicy"],
  check: (props, report) => {
    const statements = statementsOf(props.policy).filter(deniesAll);
    if (!statements.some((s) => String(condition(s, "Bool", "aws:SecureTransport")) === "false"))
      report(problem("policy", "without a Deny of s3:* when aws:SecureTransport is false", 'add { Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }'));
    const minimum = statements.map((s) => Number(condition(s, "NumericLessThan", "s3:TlsVersion"))).find((v) => !Number.isNaN(v));
    if (minimum === undefined || minimum < 1.2)
      report(problem("policy", minimum === undefined ? "without a Deny on s3:TlsVersion" : `denying TLS below ${minimum} only`, 'add { Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } }'));
  },
});
