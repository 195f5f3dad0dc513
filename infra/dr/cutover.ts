// Moving the mail itself: what the promoted stack turns on by its update, and what only the
// operator can change outside Pulumi (DNS, journal rules, relays), printed as instructions.
import type { StackConfig } from "../config";

export interface Cutover {
  /** What the promoted stack's update switched on. */
  readonly automatic: readonly string[];
  /** What the operator must do now, in order. */
  readonly manual: readonly string[];
}

const url = (outputs: Readonly<Record<string, unknown>>) => (typeof outputs.intakeUrl === "string" ? outputs.intakeUrl : "the promoted stack's `intakeUrl` output");

export function cutover(promoted: StackConfig, outputs: Readonly<Record<string, unknown>>): Cutover {
  const domains = promoted.intake.domains.join(", ");
  const addresses = promoted.intake.addresses.join(", ");
  switch (promoted.cloud) {
    case "aws":
      return {
        automatic: [`The SES receipt rule set in ${promoted.region} is now the active one; the demoted stack's rule set is no longer active.`],
        manual: [
          `Confirm the receiving domain (${domains}) is verified in SES in ${promoted.region} (identities are per region).`,
          `Point the MX record of ${domains} at inbound-smtp.${promoted.region}.amazonaws.com (priority 10). Senders follow within the record's TTL; until then they retry the old region, which does not drop mail: it bounces back to the sending MTA's queue.`,
          `Journal rules keep their address (${addresses}); nothing changes in Exchange or Workspace.`,
        ],
      };
    case "azure":
      return {
        automatic: [`The Function App's HTTP and blob intakes are enabled and the inbox is subscribed to Event Grid in ${promoted.region}.`],
        manual: [
          `If the function code was never deployed to this stack, deploy it now: $(pulumi stack output --stack ${promoted.stack} ingestorDeployCommand).`,
          `Point every relay (journal connector, MTA) at ${url(outputs)} with this stack's function key (az functionapp keys list).`,
          `Tools that drop .eml blobs must write to this stack's inbox account (inboxAccountName output), container inbox.`,
        ],
      };
    case "gcp":
      return {
        automatic: [
          `The configured relays may invoke the HTTP intake in ${promoted.region}, and the inbox subscription pushes again: notifications held while on standby are delivered now.`,
        ],
        manual: [
          `Point every relay at ${url(outputs)}; they authenticate as the same service accounts (gcp.relayInvokers).`,
          `Tools that drop .eml objects must write to this stack's inbox bucket (inboxBucket output).`,
        ],
      };
  }
}
