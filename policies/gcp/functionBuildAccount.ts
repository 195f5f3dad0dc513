import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

/** The project defaults Cloud Build may fall back to: the Compute Engine default and the legacy Cloud Build account. */
const DEFAULT_BUILD_ACCOUNT = /(-compute@developer\.gserviceaccount\.com|@cloudbuild\.gserviceaccount\.com)$/;

// Since the 2024 Cloud Build change, a new project builds as the Compute Engine default account,
// which under the default organization policy holds no role: the function's first build fails
// (Cloud Build, "Cloud Build Service Account Change"). The stack names its own, least-privileged one.
export const functionBuildAccount = resourceRule({
  name: "gcp-function-build-account",
  description: "Every Cloud Function builds as a service account of the stack's own (buildConfig.serviceAccount), not a project default",
  controls: [...SERVES.availability, ...SERVES.confidentiality],
  types: ["gcp:cloudfunctionsv2/function:Function"],
  check: (props, report) => {
    const account = props.buildConfig?.serviceAccount;
    if (typeof account !== "string" || account === "" || DEFAULT_BUILD_ACCOUNT.test(account))
      report(problem("buildConfig.serviceAccount", account, "name the stack's build service account (projects/<project>/serviceAccounts/<email>)"));
  },
});
