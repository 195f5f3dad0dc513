import { describe, expect, it } from "vitest";
import { policyProblems } from "../../../policies/aws/documents";

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("policyProblems", () => {
  it("passes listed actions for named principals", () => {
    expect(policyProblems(policy({ Sid: "Read", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/a" }, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }))).toEqual([]);
  });

  it.each([
    [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }, 'All: wildcard action "*"; list the actions it needs'],
    [{ Sid: "S3", Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "*" }, 'S3: wildcard action "s3:*"; list the actions it needs'],
    [{ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: "*" }, 'Anyone: allows any principal ("*"); name the principals'],
    [{ Sid: "AnyAws", Effect: "Allow", Principal: { AWS: "*" }, Action: ["sqs:SendMessage"], Resource: "*" }, 'AnyAws: allows any principal ("*"); name the principals'],
  ])("flags %j", (statement, problem) => {
    expect(policyProblems(policy(statement))).toEqual([problem]);
  });

  it("accepts a wildcard in a Deny, which takes access away", () => {
    expect(policyProblems(policy({ Sid: "NoTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }))).toEqual([]);
  });
});
