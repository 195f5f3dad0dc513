import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// Pub/Sub deletes a subscription after 31 days without activity unless its expiration policy says
// otherwise (Pub/Sub API, Subscription.expirationPolicy); an empty ttl never expires. A standby's
// pull subscription, a dead-letter hold and a quiet month's transfer events would all vanish.
export const subscriptionNeverExpires = resourceRule({
  name: "gcp-pubsub-subscription-never-expires",
  description: "Every Pub/Sub subscription never expires (expirationPolicy with an empty ttl), however long it stays idle",
  controls: SERVES.availability,
  types: ["gcp:pubsub/subscription:Subscription"],
  check: (props, report) => {
    if (props.expirationPolicy?.ttl !== "") report(problem("expirationPolicy", props.expirationPolicy, 'set { ttl: "" }: otherwise Pub/Sub deletes the subscription after 31 idle days'));
  },
});
