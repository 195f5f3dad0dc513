import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const SUPPORTED_RUNTIMES = ["nodejs20", "nodejs22", "nodejs24"];
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i;

export const functionHardened = resourceRule({
  name: "gcp-function-ingestor-hardened",
  description: "The ingestor (Cloud Functions 2nd gen) runs on a supported Node runtime as its own service account, takes traffic only from Google's load balancer or inside the project unless authenticated, and keeps secrets in Secret Manager",
  controls: [...SERVES.confidentiality, ...SERVES.transport],
  types: ["gcp:cloudfunctionsv2/function:Function"],
  check: (props, report) => {
    const runtime = props.buildConfig?.runtime;
    if (!SUPPORTED_RUNTIMES.includes(runtime)) report(problem("buildConfig.runtime", runtime, `use one of ${SUPPORTED_RUNTIMES.join(", ")}`));
    const service = props.serviceConfig ?? {};
    const account = String(service.serviceAccountEmail ?? "");
    if (!account || account.endsWith("-compute@developer.gserviceaccount.com"))
      report(problem("serviceConfig.serviceAccountEmail", service.serviceAccountEmail, "run as the stack's ingestor service account, not the default compute account"));
    if (!["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB", undefined].includes(service.ingressSettings)) report(problem("serviceConfig.ingressSettings", service.ingressSettings, "use a documented value"));
    for (const name of Object.keys(service.environmentVariables ?? {}))
      if (SECRET_NAME.test(name)) report(problem(`serviceConfig.environmentVariables.${name}`, "a plain value", "use serviceConfig.secretEnvironmentVariables from Secret Manager"));
  },
});
