import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const sesReceiptSecure = resourceRule({
  name: "aws-ses-receipt-tls",
  description: "The SES receipt rule refuses mail not sent over TLS and scans for spam and viruses",
  controls: SERVES.transport,
  types: ["aws:ses/receiptRule:ReceiptRule"],
  check: (props, report) => {
    if (props.tlsPolicy !== "Require") report(problem("tlsPolicy", props.tlsPolicy, 'set "Require"'));
    if (props.scanEnabled !== true) report(problem("scanEnabled", props.scanEnabled, "set true"));
  },
});
