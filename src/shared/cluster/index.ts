export { ClusterModule } from './cluster.module.js';
export { DEDICATED_CONNECTIONS, INSTANCE_ID } from './cluster.tokens.js';
export { connectionFactory, dedicatedConnections, type DedicatedConnectionFactory } from './dedicated-connection.js';
export { advisoryKey, defaultInstanceId, instanceIdProblem, instanceStreamIds, resolveInstanceId, uuidV5, INSTANCE_STREAM_NAMESPACE } from './instance-id.js';
export { InstanceIdInUseError, InstanceLease, type InstanceClaim, type InstanceLeaseOptions, type OrphanInstance } from './instance-lease.js';
export { LeaderLock, type LeaderLockOptions } from './leader-lock.js';
export { appendedElsewhere, RemoteEventsFeed } from './remote-events.feed.js';
export { StoreNotifications, type StoreWakeSource } from './store-notifications.js';
export { StoreSubscription, type StoreSubscriptionOptions, type SubscriptionCheckpoints, type SubscriptionSource } from './store-subscription.js';
