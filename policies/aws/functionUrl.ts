import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const functionUrlAuthenticated = resourceRule({
  name: "aws-lambda-url-authenticated",
  description: "A Lambda function URL, if any, requires IAM authentication",
  controls: SERVES.confidentiality,
  types: ["aws:lambda/functionUrl:FunctionUrl"],
  check: (props, report) => {
    if (props.authorizationType !== "AWS_IAM") report(problem("authorizationType", props.authorizationType, 'set "AWS_IAM"'));
  },
});
