import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// Node runtimes AWS still patches (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
const SUPPORTED_RUNTIMES = ["nodejs20.x", "nodejs22.x", "nodejs24.x"];
// Names that say "secret": such values belong in Secrets Manager, not in plain environment variables.
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i;

export const lambdaHardened = resourceRule({
  name: "aws-lambda-ingestor-hardened",
  description: "The ingestor runs on a supported Node runtime, with no secrets in its environment and its logs in its own log group",
  controls: SERVES.confidentiality,
  types: ["aws:lambda/function:Function"],
  check: (props, report) => {
    if (!SUPPORTED_RUNTIMES.includes(props.runtime)) report(problem("runtime", props.runtime, `use one of ${SUPPORTED_RUNTIMES.join(", ")}`));
    for (const name of Object.keys(props.environment?.variables ?? {}))
      if (SECRET_NAME.test(name)) report(problem(`environment.variables.${name}`, "a plain value", "keep secrets in Secrets Manager and pass the secret's ARN"));
    if (!props.loggingConfig?.logGroup) report(problem("loggingConfig.logGroup", props.loggingConfig?.logGroup, "name the function's encrypted, retained log group"));
  },
});
